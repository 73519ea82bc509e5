using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Connect;
using AuthServer.Features.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Organizations;

/// <summary>A new organization and the one time its secret is seen in clear.</summary>
public sealed record CreatedOrganization(Organization Organization, string Secret);

/// <summary>The new secret of a rotation, seen in clear this once, and when the rotation started.</summary>
public sealed record RotatedSecret(string Secret, DateTimeOffset Created);

/// <summary>Creates and changes organizations; every change drops the cached snapshot.</summary>
public sealed class OrganizationService(AuthDbContext db, OrganizationSecrets secrets, OrganizationCache cache, OpenIddictClientSync clients, WebhookEvents webhooks, TimeProvider clock)
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

    /// <summary>
    /// Applies <paramref name="change"/> to the organization; null when it does not exist. The OpenID
    /// Connect client is re-synced when what it mirrors (name, origins, redirect URIs) changed.
    /// </summary>
    public async Task<Organization?> UpdateAsync(Guid id, Action<Organization> change, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return null;
        }

        var before = (organization.Name, Origins: organization.WhitelistedOrigins.ToList(), Redirects: organization.RedirectUris.ToList());
        change(organization);
        organization.WhitelistedOrigins = organization.WhitelistedOrigins.Select(OriginRules.Normalize).Distinct(StringComparer.Ordinal).ToList();
        organization.Updated = clock.GetUtcNow();
        await webhooks.AddAsync(db, id, WebhookEventTypes.OrganizationUpdated, new { organizationId = id, name = organization.Name, updated = organization.Updated }, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by a concurrent request between our read and our write: it does not exist (entityMissing), not a 500.
            if (await db.Organizations.AsNoTracking().AnyAsync(o => o.Id == id, cancellationToken))
            {
                throw;
            }

            cache.Invalidate(id);
            return null;
        }

        if (before.Name != organization.Name
            || !before.Origins.SequenceEqual(organization.WhitelistedOrigins)
            || !before.Redirects.SequenceEqual(organization.RedirectUris))
        {
            await clients.SyncAsync(organization, cancellationToken);
        }

        cache.Invalidate(id);
        return organization;
    }

    /// <summary>
    /// Starts a rotation: a new secret, returned this once, accepted next to the active one until
    /// <see cref="ActivateSecretAsync"/>. Rotating again replaces the pending secret. Null when the
    /// organization does not exist.
    /// </summary>
    public async Task<RotatedSecret?> RotateSecretAsync(Guid id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return null;
        }

        var secret = OrganizationSecrets.Generate();
        var now = clock.GetUtcNow();
        organization.PendingProtectedSecret = secrets.Protect(secret);
        organization.PendingSecretCreated = now;
        organization.Updated = now;
        await webhooks.AddAsync(db, id, WebhookEventTypes.SecretRotated, new { organizationId = id, phase = "pending", created = now }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(id);
        return new RotatedSecret(secret, now);
    }

    /// <summary>Ends a rotation: the pending secret becomes the only one; the old one stops working.</summary>
    public async Task<Outcome<Organization>> ActivateSecretAsync(Guid id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return AuthError.EntityMissing("No organization with this id exists.");
        }

        if (organization.PendingProtectedSecret is null)
        {
            return AuthError.EntityInvalid("pendingSecret", "No secret is waiting for activation: rotate the secret first.");
        }

        organization.ProtectedSecret = organization.PendingProtectedSecret;
        organization.PendingProtectedSecret = null;
        organization.PendingSecretCreated = null;
        organization.Updated = clock.GetUtcNow();
        await webhooks.AddAsync(db, id, WebhookEventTypes.SecretRotated, new { organizationId = id, phase = "activated", created = organization.Updated }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate(id);
        return organization;
    }

    /// <summary>Deletes the organization with everything that belongs to it (database cascades) and its OpenID Connect client.</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var deleted = await db.Organizations.Where(o => o.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return false;
        }

        await clients.RemoveAsync(id, cancellationToken);
        cache.Invalidate(id);
        return true;
    }
}
