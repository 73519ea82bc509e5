using System.Text;
using System.Text.Json;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.Login;

/// <summary>The query of GET /login (centralauth-protocol.md §1).</summary>
public sealed record LoginQuery(
    string? ClientId, string? RedirectUri, string? ResponseType, string? State, string? CodeChallenge,
    string? CodeChallengeMethod, string? Email, string? ErrorDescription, string? Translations, string? Embed, string? Affirm)
{
    public static LoginQuery From(IQueryCollection query) => new(
        query["client_id"], query["redirect_uri"], query["response_type"], query["state"], query["code_challenge"],
        query["code_challenge_method"], query["email"], query["error_description"], query["translations"], query["embed"], query["affirm"]);
}

/// <summary>What validating a login request decided.</summary>
public abstract record LoginRequestDecision
{
    /// <summary>The client or redirect URI cannot be trusted: show the error, never redirect.</summary>
    public sealed record ShowError(AuthError Error) : LoginRequestDecision;

    /// <summary>The app is known and its redirect URI trusted: send the error back to it.</summary>
    public sealed record RedirectError(string RedirectUri, AuthError Error, string? State) : LoginRequestDecision;

    public sealed record Accepted(CachedOrganization Organization, AuthorizationRequest Request) : LoginRequestDecision;
}

/// <summary>
/// Validates the CentralAuth face's login request in the order errors.md sets: first what decides whether
/// we may redirect at all (organization, redirect URI), then the protocol parameters, reported to the app.
/// </summary>
public static class CentralAuthLoginRequest
{
    private const int MaxTranslationsLength = 16_384;

    public static async Task<LoginRequestDecision> ValidateAsync(LoginQuery query, OrganizationCache organizations, TimeProvider clock, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var organization = await organizations.FindAsync(query.ClientId, cancellationToken);
        if (organization is null)
        {
            return new LoginRequestDecision.ShowError(AuthError.OrganizationIdMissing());
        }

        if (CheckRedirectUri(organization, query.RedirectUri) is { } redirectError)
        {
            return new LoginRequestDecision.ShowError(redirectError);
        }

        var redirectUri = query.RedirectUri!;
        AuthError? error = null;
        if (query.ResponseType != "code")
        {
            error = AuthError.EntityInvalid("response_type", "Only response_type=code is supported.");
        }
        else if (string.IsNullOrEmpty(query.State))
        {
            error = AuthError.StateMissing();
        }
        else if (query.State.Length > 1024)
        {
            error = AuthError.StateInvalid();
        }
        else if (string.IsNullOrEmpty(query.CodeChallenge))
        {
            error = AuthError.CodeChallengeMissing();
        }
        else if (query.CodeChallengeMethod != "S256" || !Pkce.IsWellFormedChallenge(query.CodeChallenge))
        {
            error = AuthError.CodeChallengeInvalid("The code challenge must be 43 base64url characters with code_challenge_method=S256.");
        }
        else if (!organization.Connections.Email && !organization.Connections.Passkey)
        {
            error = AuthError.ConnectionMissing();
        }

        if (error is not null)
        {
            return new LoginRequestDecision.RedirectError(redirectUri, error, query.State);
        }

        var now = clock.GetUtcNow();
        return new LoginRequestDecision.Accepted(organization, new AuthorizationRequest
        {
            Id = Guid.NewGuid(),
            OrganizationId = organization.Id,
            Face = AuthorizationFace.CentralAuth,
            RedirectUri = redirectUri,
            State = query.State!,
            CodeChallenge = query.CodeChallenge!,
            Affirm = query.Affirm == "1",
            Embed = query.Embed == "1",
            Translations = DecodeTranslations(query.Translations),
            Created = now,
            ExpiresAt = now + lifetime,
        });
    }

    /// <summary>
    /// A redirect URI is trusted when it is an absolute http(s) URL without a fragment whose origin the
    /// organization whitelisted (localhost only when allowed). Its path and query are free.
    /// </summary>
    public static AuthError? CheckRedirectUri(CachedOrganization organization, string? redirectUri)
    {
        if (string.IsNullOrEmpty(redirectUri))
        {
            return AuthError.CallbackUrlMissing();
        }

        // Note: control characters and spaces would survive Uri parsing and break (or split) the Location header.
        if (redirectUri.Length > 2048 || redirectUri.Contains('#') || redirectUri.Any(c => c <= ' ' || c == '\u007f')
            || !OriginRules.TryGetOrigin(redirectUri, out var origin))
        {
            return AuthError.CallbackUrlInvalid("The callback URL is not a valid absolute http(s) URL.");
        }

        return OriginRules.IsAllowed(organization, origin) ? null : AuthError.CallbackUrlInvalid();
    }

    /// <summary>The `translations` parameter: base64 of a JSON object of strings. Anything else is ignored.</summary>
    private static string? DecodeTranslations(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded) || encoded.Length > MaxTranslationsLength)
        {
            return null;
        }

        try
        {
            var normalized = encoded.Replace('-', '+').Replace('_', '/');
            normalized = normalized.PadRight(normalized.Length + ((4 - (normalized.Length % 4)) % 4), '=');
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(normalized));
            var values = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            return values is null ? null : JsonSerializer.Serialize(values);
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }
}
