using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Passkeys;

/// <summary>The login page a passkey ceremony belongs to, checked the same way when it starts and when it ends.</summary>
public sealed class PasskeyRequests(AuthDbContext db, OrganizationCache organizations, TimeProvider clock)
{
    public async Task<Outcome<(CachedOrganization Organization, AuthorizationRequest Request)>> LoadAsync(Guid? requestId, CancellationToken cancellationToken)
    {
        if (requestId is null)
        {
            return AuthError.MissingFields("request");
        }

        return await CheckAsync(await db.AuthorizationRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken), cancellationToken);
    }

    /// <summary>Locks the request row in the caller's transaction: two ceremonies (or a code) on one page cannot both complete it.</summary>
    public async Task<Outcome<(CachedOrganization Organization, AuthorizationRequest Request)>> LockAsync(Guid? requestId, CancellationToken cancellationToken)
    {
        var request = (await db.AuthorizationRequests.FromSql($"SELECT * FROM authorization_requests WHERE \"Id\" = {requestId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();
        return await CheckAsync(request, cancellationToken);
    }

    private async Task<Outcome<(CachedOrganization, AuthorizationRequest)>> CheckAsync(AuthorizationRequest? request, CancellationToken cancellationToken)
    {
        // A completed request is expired too: a sign-in cannot be replayed from the same page.
        if (request is null || request.ExpiresAt <= clock.GetUtcNow())
        {
            return AuthError.EntityMissing("This sign-in page has expired. Go back to the app and start again.");
        }

        var organization = await organizations.FindAsync(request.OrganizationId, cancellationToken);
        if (organization is null)
        {
            return AuthError.OrganizationIdMissing();
        }

        return organization.Connections.Passkey ? (organization, request) : AuthError.ConnectionMissing();
    }
}
