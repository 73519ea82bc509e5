using System.Security.Cryptography;
using AuthServer.Data;
using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AuthServer.Features.Connect;

/// <summary>
/// Keeps one OpenIddict application per organization (client_id = organization id) so the standard face
/// knows its clients: exact redirect URIs, post-logout URIs, permissions, PKCE required. The organization
/// row stays the source of truth; secrets are not copied (see <see cref="OrganizationApplicationManager"/>).
/// </summary>
public sealed class OpenIddictClientSync(
    IOpenIddictApplicationManager applications,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    SharedApplicationCache shared,
    AuthDbContext db,
    ILogger<OpenIddictClientSync> logger)
{
    /// <summary>Creates or updates the organization's OpenIddict application.</summary>
    public async Task SyncAsync(Organization organization, CancellationToken cancellationToken)
    {
        var clientId = organization.Id.ToString();
        var descriptor = Describe(organization);
        // The store's own (tracked) row, never the shared read-only copy the manager hands out.
        var existing = await store.FindByClientIdAsync(clientId, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    // Keep the placeholder secret the application was created with (already hashed: the descriptor
                    // carries it unchanged, so the manager neither re-hashes it nor finds a confidential client without one).
                    var current = new OpenIddictApplicationDescriptor();
                    await applications.PopulateAsync(current, existing, cancellationToken);
                    descriptor.ClientSecret = current.ClientSecret;
                    await applications.UpdateAsync(existing, descriptor, cancellationToken);
                    break;
                }
                catch (Exception exception) when (attempt < 3 && exception is OpenIddictExceptions.ConcurrencyException or DbUpdateConcurrencyException)
                {
                    // Two changes of one organization at once (two admins, two instances): the row moved under us.
                    // The organization is the truth, so its description is applied again over the fresh row.
                    await db.Entry(existing).ReloadAsync(cancellationToken);
                }
            }
        }

        shared.Invalidate(clientId);
    }

    /// <summary>Removes the organization's application (its tokens go with it).</summary>
    public async Task RemoveAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var clientId = organizationId.ToString();
        if (await store.FindByClientIdAsync(clientId, cancellationToken) is { } application)
        {
            await applications.DeleteAsync(application, cancellationToken);
        }

        shared.Invalidate(clientId);
    }

    /// <summary>At start: organizations created before this existed (or by hand) get their application.</summary>
    public async Task SyncMissingAsync(CancellationToken cancellationToken)
    {
        var known = await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .Select(a => a.ClientId).ToListAsync(cancellationToken);
        var missing = await db.Organizations.Where(o => !known.Contains(o.Id.ToString())).ToListAsync(cancellationToken);
        foreach (var organization in missing)
        {
            logger.LogInformation("Registering organization {OrganizationId} as an OpenID Connect client", organization.Id);
            await SyncAsync(organization, cancellationToken);
        }
    }

    private static OpenIddictApplicationDescriptor Describe(Organization organization)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = organization.Id.ToString(),
            // OpenIddict insists on a secret for confidential clients; this one is random and never used:
            // OrganizationApplicationManager checks the organization's own secrets instead.
            ClientSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = organization.Name,
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.Endpoints.Introspection,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email,
                Permissions.Scopes.Profile,
                Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };

        // Redirect URIs are matched exactly (OAuth rules): only the explicitly registered ones.
        foreach (var uri in organization.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
            descriptor.PostLogoutRedirectUris.Add(new Uri(uri));
        }

        // After logout an app may also send the user to the root of any of its whitelisted origins.
        foreach (var origin in organization.WhitelistedOrigins)
        {
            descriptor.PostLogoutRedirectUris.Add(new Uri(origin + "/"));
        }

        return descriptor;
    }
}
