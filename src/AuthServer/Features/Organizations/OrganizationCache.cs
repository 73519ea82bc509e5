using AuthServer.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace AuthServer.Features.Organizations;

/// <summary>
/// Organizations are read on every request and change rarely. Entries live a few seconds: a change made
/// on any instance is seen everywhere within <see cref="Lifetime"/>, and this instance drops its entry at
/// once on its own changes.
/// </summary>
public sealed class OrganizationCache(IMemoryCache cache, IServiceScopeFactory scopes, OrganizationSecrets secrets, Upstream.UpstreamSecrets upstreamSecrets)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public async Task<CachedOrganization?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(id), out CachedOrganization? cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        var snapshot = organization is null
            ? null
            : new CachedOrganization(
                organization.Id,
                organization.Name,
                secrets.Unprotect(organization.ProtectedSecret),
                organization.PendingProtectedSecret is null ? null : secrets.Unprotect(organization.PendingProtectedSecret),
                organization.WhitelistedOrigins.ToHashSet(StringComparer.OrdinalIgnoreCase),
                organization.RedirectUris.ToHashSet(StringComparer.Ordinal),
                organization.Settings,
                organization.Connections,
                organization.Branding)
            {
                UpstreamConnections = [.. (await db.UpstreamConnections.AsNoTracking().Where(c => c.OrganizationId == id).OrderBy(c => c.Created).ToListAsync(cancellationToken))
                    .Select(c => Upstream.CachedUpstreamConnection.From(c, upstreamSecrets))],
            };

        // Unknown ids are cached too (briefly), so a flood of bad client ids costs no queries.
        cache.Set(Key(id), snapshot, Lifetime);
        return snapshot;
    }

    /// <summary>Parses a client id and finds it; null for malformed or unknown ids.</summary>
    public Task<CachedOrganization?> FindAsync(string? clientId, CancellationToken cancellationToken) =>
        Guid.TryParse(clientId, out var id) ? FindAsync(id, cancellationToken) : Task.FromResult<CachedOrganization?>(null);

    public void Invalidate(Guid id) => cache.Remove(Key(id));

    private static string Key(Guid id) => "org:" + id.ToString("N");
}
