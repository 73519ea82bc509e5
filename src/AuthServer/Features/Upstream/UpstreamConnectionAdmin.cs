using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Features.Organizations;
using AuthServer.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Upstream;

/// <summary>
/// An upstream connection as the admin API shows it: never its secret. <c>redirectUri</c> is what the
/// organization registers at the provider.
/// </summary>
public sealed record AdminUpstreamConnectionView(
    Guid Id, Guid OrganizationId, string Kind, string? DisplayName, string ClientId, bool HasClientSecret, string? Tenant, string? Issuer,
    string? TeamId, string? KeyId, IReadOnlyList<string> Scopes, bool Enabled, string RedirectUri, DateTimeOffset Created, DateTimeOffset Updated);

/// <summary>
/// Creates (kind, clientId and clientSecret required) or changes (absent fields stay as they are) a connection.
/// Google, Microsoft, GitHub: the OAuth client's id and secret. Microsoft: <c>tenant</c> (default "common").
/// Apple: clientId is the Services ID, clientSecret the .p8 signing key (PEM), with <c>teamId</c> and <c>keyId</c>.
/// oidc: <c>issuer</c> (its discovery document describes the rest) and a <c>displayName</c> for the button.
/// </summary>
public sealed class UpstreamConnectionRequest
{
    public string? Kind { get; init; }
    public string? DisplayName { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string? Tenant { get; init; }
    public string? Issuer { get; init; }
    public string? TeamId { get; init; }
    public string? KeyId { get; init; }
    public IReadOnlyList<string>? Scopes { get; init; }
    public bool? Enabled { get; init; }
}

public sealed partial class UpstreamConnectionAdmin(AuthDbContext db, UpstreamSecrets secrets, OrganizationCache organizations, AuditTrail audit,
    IOptions<ServerOptions> server, TimeProvider clock)
{
    public async Task<Outcome<IReadOnlyList<AdminUpstreamConnectionView>>> ListAsync(AdminCaller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        if (await CheckOrganizationAsync(caller, organizationId, cancellationToken) is { } error)
        {
            return error;
        }

        var connections = await db.UpstreamConnections.AsNoTracking().Where(c => c.OrganizationId == organizationId).OrderBy(c => c.Created).ToListAsync(cancellationToken);
        return connections.Select(View).ToList();
    }

    public async Task<Outcome<AdminUpstreamConnectionView>> GetAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        return found.Failed ? found.Error! : View(found.Value!);
    }

    public async Task<Outcome<AdminUpstreamConnectionView>> CreateAsync(AdminCaller caller, Guid organizationId, UpstreamConnectionRequest? request, CancellationToken cancellationToken)
    {
        if (await CheckOrganizationAsync(caller, organizationId, cancellationToken) is { } denied)
        {
            return denied;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.Kind) || string.IsNullOrWhiteSpace(request.ClientId) || string.IsNullOrEmpty(request.ClientSecret))
        {
            return AuthError.MissingFields([.. new[] { ("kind", request?.Kind), ("clientId", request?.ClientId), ("clientSecret", request?.ClientSecret) }
                .Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1)]);
        }

        var now = clock.GetUtcNow();
        var connection = new UpstreamConnection
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Kind = request.Kind.Trim().ToLowerInvariant(),
            ClientId = "",
            ProtectedClientSecret = "",
            Created = now,
        };
        var applied = Apply(connection, request, now);
        if (applied is not null)
        {
            return applied;
        }

        db.UpstreamConnections.Add(connection);
        audit.Add(AuditActor.Of(caller), "upstreamConnection.create", UpstreamSignInService.AuditTarget, connection.Id.ToString(), organizationId);
        await db.SaveChangesAsync(cancellationToken);
        organizations.Invalidate(organizationId);
        return View(connection);
    }

    public async Task<Outcome<AdminUpstreamConnectionView>> UpdateAsync(AdminCaller caller, Guid id, UpstreamConnectionRequest? request, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var connection = found.Value!;
        if (request?.Kind is { } kind && !string.Equals(kind.Trim(), connection.Kind, StringComparison.OrdinalIgnoreCase))
        {
            return AuthError.EntityInvalid("kind", "The kind of a connection cannot change; create another connection.");
        }

        if (Apply(connection, request ?? new UpstreamConnectionRequest(), clock.GetUtcNow()) is { } invalid)
        {
            return invalid;
        }

        audit.Add(AuditActor.Of(caller), "upstreamConnection.update", UpstreamSignInService.AuditTarget, id.ToString(), connection.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        organizations.Invalidate(connection.OrganizationId);
        return View(connection);
    }

    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        // Its linked identities go with it (cascade): the same people can still sign in by email.
        db.UpstreamConnections.Remove(found.Value!);
        audit.Add(AuditActor.Of(caller), "upstreamConnection.delete", UpstreamSignInService.AuditTarget, id.ToString(), found.Value!.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        organizations.Invalidate(found.Value!.OrganizationId);
        return true;
    }

    /// <summary>Validates and copies the present fields; the error names the first field at fault.</summary>
    private AuthError? Apply(UpstreamConnection connection, UpstreamConnectionRequest request, DateTimeOffset now)
    {
        if (!UpstreamKinds.All.Contains(connection.Kind))
        {
            return AuthError.EntityInvalid("kind", "Must be one of: " + string.Join(", ", UpstreamKinds.All) + ".");
        }

        if (request.ClientId is { } clientId)
        {
            if (!IsText(clientId.Trim(), 500))
            {
                return AuthError.EntityInvalid("clientId", "Must be 1 to 500 characters, without control characters.");
            }

            connection.ClientId = clientId.Trim();
        }

        if (request.DisplayName is { } displayName)
        {
            if (displayName.Trim().Length > 0 && !IsText(displayName.Trim(), 100))
            {
                return AuthError.EntityInvalid("displayName", "Must be at most 100 characters, without control characters.");
            }

            connection.DisplayName = displayName.Trim().Length == 0 ? null : displayName.Trim();
        }

        if (request.Tenant is { } tenant)
        {
            if (tenant.Length > 0 && !TenantPattern().IsMatch(tenant))
            {
                return AuthError.EntityInvalid("tenant", "A tenant id, a domain, or common, organizations, consumers.");
            }

            connection.Tenant = tenant.Length == 0 ? null : tenant;
        }

        if (request.Issuer is { } issuer)
        {
            if (!IsIssuer(issuer))
            {
                return AuthError.EntityInvalid("issuer", "An absolute https URL without query or fragment (http only on loopback).");
            }

            connection.Issuer = issuer;
        }

        if (request.TeamId is { } teamId)
        {
            connection.TeamId = teamId.Trim().Length == 0 ? null : teamId.Trim();
        }

        if (request.KeyId is { } keyId)
        {
            connection.KeyId = keyId.Trim().Length == 0 ? null : keyId.Trim();
        }

        if (request.Scopes is { } scopes)
        {
            if (scopes.Count > 20 || scopes.Any(s => s is null || !ScopePattern().IsMatch(s)))
            {
                return AuthError.EntityInvalid("scopes", "At most 20 scope tokens of printable ASCII without spaces, quotes or backslashes.");
            }

            connection.Scopes = [.. scopes.Distinct(StringComparer.Ordinal)];
        }

        if (request.ClientSecret is { } secret)
        {
            if (secret.Length is 0 or > 10_000)
            {
                return AuthError.EntityInvalid("clientSecret", "Must be 1 to 10,000 characters.");
            }

            if (connection.Kind == UpstreamKinds.Apple && !IsAppleKey(secret))
            {
                return AuthError.EntityInvalid("clientSecret", "Apple's client secret is the .p8 signing key: an EC P-256 private key in PEM.");
            }

            connection.ProtectedClientSecret = secrets.Protect(secret);
        }

        if (request.Enabled is { } enabled)
        {
            connection.Enabled = enabled;
        }

        // What each kind needs, checked on the result (a change may complete or break it).
        if (connection.Kind == UpstreamKinds.Oidc && connection.Issuer is null)
        {
            return AuthError.MissingFields("issuer");
        }

        if (connection.Kind == UpstreamKinds.Apple && (connection.TeamId is null || connection.KeyId is null))
        {
            return AuthError.MissingFields([.. new[] { ("teamId", connection.TeamId), ("keyId", connection.KeyId) }.Where(f => f.Item2 is null).Select(f => f.Item1)]);
        }

        connection.Updated = now;
        return null;
    }

    private bool IsIssuer(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo)
        && value.Length <= 500
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttp)));

    private static bool IsAppleKey(string pem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return key.KeySize == 256;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    private static bool IsText(string value, int max) => value.Length is > 0 && value.Length <= max && !value.Any(char.IsControl);

    private async Task<AuthError?> CheckOrganizationAsync(AdminCaller caller, Guid organizationId, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        return await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken) ? null : AuthError.EntityMissing("No organization with this id exists.");
    }

    private async Task<Outcome<UpstreamConnection>> FindAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var connection = await db.UpstreamConnections.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (connection is null)
        {
            return AuthError.EntityMissing("No upstream connection with this id exists.");
        }

        return caller.CheckAccess(connection.OrganizationId) is { } denied ? denied : connection;
    }

    private AdminUpstreamConnectionView View(UpstreamConnection c) => new(
        c.Id, c.OrganizationId, c.Kind, c.DisplayName, c.ClientId, c.ProtectedClientSecret.Length > 0, c.Tenant, c.Issuer, c.TeamId, c.KeyId, c.Scopes, c.Enabled,
        UpstreamRegistrations.RedirectUri(server.Value.PublicBaseUri, c.Id).AbsoluteUri, c.Created, c.Updated);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9.-]{0,199}$")]
    private static partial Regex TenantPattern();

    [GeneratedRegex("^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}$")]
    private static partial Regex ScopePattern();
}
