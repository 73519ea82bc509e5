using AuthServer.Errors;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>Reads the access token an app sends as its raw text/plain body and finds the session it names.</summary>
public static class CentralAuthSessionToken
{
    private const int MaxTokenLength = 16_384;

    public static async Task<Outcome<(Guid SessionId, long Expires)>> ReadAsync(HttpRequest request, CachedOrganization organization)
    {
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxTokenLength + 1];
        var length = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
        if (length > MaxTokenLength)
        {
            return AuthError.TokenInvalid();
        }

        var token = new string(buffer, 0, length).Trim();
        if (token.Length == 0)
        {
            return AuthError.TokenMissing();
        }

        var claims = CentralAuthTokens.Decrypt(token, organization.AcceptedSecrets);
        try
        {
            if (claims is null
                || claims["aud"]?.GetValue<string>() != organization.Id.ToString()
                || !Guid.TryParse(claims["sessionId"]?.GetValue<string>(), out var sessionId)
                || claims["exp"]?.GetValue<long>() is not { } expires)
            {
                return AuthError.TokenInvalid();
            }

            return (sessionId, expires);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            // A claim of the wrong JSON type: the token is not one of ours.
            return AuthError.TokenInvalid();
        }
    }
}
