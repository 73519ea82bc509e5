using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AuthServer.Errors;

namespace AuthServer.Features.Organizations;

/// <summary>
/// The one check of client credentials (organization id and secret) for every face: the active secret or,
/// during a rotation, the pending one, compared in constant time, with the organization from the cache.
/// Bad credentials answer clientCredentialsInvalid (not tokenInvalid, which means a bad code or token) and
/// log one Warning with the organization id and trace id, so the app's operator can find it (never the secret).
/// </summary>
public sealed partial class ClientAuthenticator(OrganizationCache organizations, ILogger<ClientAuthenticator> logger)
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
            return Rejected(request, null, "not Basic credentials");
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parsed.Parameter));
        }
        catch (FormatException)
        {
            return Rejected(request, null, "Basic credentials that are not base64");
        }

        var separator = decoded.IndexOf(':');
        if (separator <= 0)
        {
            return Rejected(request, null, "Basic credentials without client_id:secret");
        }

        // RFC 6749 §2.3.1: both parts are form-url-encoded before Basic encoding.
        var clientId = Uri.UnescapeDataString(decoded[..separator]);
        var secret = Uri.UnescapeDataString(decoded[(separator + 1)..]);
        var outcome = await AuthenticateAsync(clientId, secret, cancellationToken);
        return outcome.Failed && outcome.Error!.Definition == ErrorCatalog.ClientCredentialsInvalid
            ? Rejected(request, clientId, "a secret that is neither the active nor the pending one")
            : outcome;
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

        return SecretMatches(organization, secret) ? organization : AuthError.ClientCredentialsInvalid();
    }

    private AuthError Rejected(HttpRequest request, string? clientId, string reason)
    {
        // The client id is not secret, but it is caller-chosen text: log it only when it named a real organization.
        LogRejected(clientId ?? "(unreadable)", reason, ErrorResponses.TraceId(request.HttpContext));
        return AuthError.ClientCredentialsInvalid();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client credentials rejected for organization {OrganizationId}: {Reason} (trace {TraceId}); the app's client secret is probably wrong or was rotated")]
    private partial void LogRejected(string organizationId, string reason, string traceId);

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
