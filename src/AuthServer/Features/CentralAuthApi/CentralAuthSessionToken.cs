using System.Buffers;
using System.Text;
using AuthServer.Errors;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>Reads the access token an app sends as its raw text/plain body and finds the session it names.</summary>
public static class CentralAuthSessionToken
{
    private const int MaxTokenLength = 16_384;

    public static async Task<Outcome<(Guid SessionId, long Expires)>> ReadAsync(HttpRequest request, CachedOrganization organization)
    {
        // Read into a pooled buffer (this runs on every userinfo call): at most one byte past the limit.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxTokenLength + 1);
        string token;
        try
        {
            var length = 0;
            int read;
            while (length <= MaxTokenLength
                && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxTokenLength + 1 - length), request.HttpContext.RequestAborted)) > 0)
            {
                length += read;
            }

            if (length > MaxTokenLength)
            {
                return AuthError.TokenInvalid();
            }

            token = Encoding.UTF8.GetString(buffer, 0, length).Trim();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Parse(token, organization);
    }

    /// <summary>
    /// The session a token of this organization names, and when the token expires: tokenMissing for an empty
    /// token, tokenInvalid for anything not issued to this organization. Also what the admin console reads from
    /// its own cookie (it is an app of the system organization).
    /// </summary>
    public static Outcome<(Guid SessionId, long Expires)> Parse(string token, CachedOrganization organization)
    {
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
