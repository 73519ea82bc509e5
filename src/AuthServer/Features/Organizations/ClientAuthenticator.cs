using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AuthServer.Errors;

namespace AuthServer.Features.Organizations;

/// <summary>
/// The one check of client credentials (organization id and secret) for every face: the active secret or,
/// during a rotation, the pending one, compared in constant time, with the organization from the cache.
/// </summary>
public sealed class ClientAuthenticator(OrganizationCache organizations)
{
    /// <summary>Authenticates <c>Authorization: Basic base64(client_id:secret)</c>.</summary>
    public async Task<Outcome<CachedOrganization>> AuthenticateBasicAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthError.TokenMissing();
        }

        if (!AuthenticationHeaderValue.TryParse(header, out var parsed)
            || !string.Equals(parsed.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || parsed.Parameter is null)
        {
            return AuthError.TokenInvalid();
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parsed.Parameter));
        }
        catch (FormatException)
        {
            return AuthError.TokenInvalid();
        }

        var separator = decoded.IndexOf(':');
        if (separator <= 0)
        {
            return AuthError.TokenInvalid();
        }

        // RFC 6749 §2.3.1: both parts are form-url-encoded before Basic encoding.
        var clientId = Uri.UnescapeDataString(decoded[..separator]);
        var secret = Uri.UnescapeDataString(decoded[(separator + 1)..]);
        return await AuthenticateAsync(clientId, secret, cancellationToken);
    }

    public async Task<Outcome<CachedOrganization>> AuthenticateAsync(string? clientId, string? secret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return AuthError.OrganizationIdMissing();
        }

        var organization = await organizations.FindAsync(clientId, cancellationToken);
        if (organization is null)
        {
            return AuthError.OrganizationIdMissing();
        }

        if (string.IsNullOrEmpty(secret))
        {
            return AuthError.TokenMissing();
        }

        return SecretMatches(organization, secret) ? organization : AuthError.TokenInvalid();
    }

    public static bool SecretMatches(CachedOrganization organization, string presented)
    {
        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        var matched = false;
        // Check every accepted secret (no early exit) so timing does not tell which one matched.
        foreach (var accepted in organization.AcceptedSecrets)
        {
            matched |= CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(accepted));
        }

        return matched;
    }
}
