using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.Connect;

namespace AuthServer.Features.Organizations;

/// <summary>A new organization and the one time its secret is seen in clear.</summary>
public sealed record CreatedOrganization(Organization Organization, string Secret);

/// <summary>Creates and changes organizations; every change drops the cached snapshot.</summary>
public sealed class OrganizationService(AuthDbContext db, OrganizationSecrets secrets, OrganizationCache cache, OpenIddictClientSync clients, TimeProvider clock)
{
    public async Task<CreatedOrganization> CreateAsync(string name, IEnumerable<string> whitelistedOrigins, Action<Organization>? configure, CancellationToken cancellationToken)
    {
        var secret = OrganizationSecrets.Generate();
        var now = clock.GetUtcNow();
        var organization = new Organization
        {
            Id = Guid.NewGuid(),
            Name = name,
            ProtectedSecret = secrets.Protect(secret),
            WhitelistedOrigins = whitelistedOrigins.Select(OriginRules.Normalize).ToList(),
            Created = now,
            Updated = now,
        };
        configure?.Invoke(organization);
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(cancellationToken);
        await clients.SyncAsync(organization, cancellationToken);
        cache.Invalidate(organization.Id);
        return new CreatedOrganization(organization, secret);
    }
}
