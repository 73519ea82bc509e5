using AuthServer.Data;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace AuthServer.Features.Connect;

/// <summary>
/// OpenIddict's application manager with client secrets checked by our <see cref="ClientAuthenticator"/>
/// rules: the organization's active secret or, during a rotation, its pending one, in constant time, from
/// the organization cache. Note: this replaces OpenIddict's PBKDF2 hash check, which cost most of a token
/// request's CPU, and keeps one source of truth for secrets (encrypted on the organization row).
/// Lookups by client id are served from the <see cref="SharedApplicationCache"/>.
/// </summary>
public sealed class OrganizationApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    OrganizationCache organizations,
    SharedApplicationCache shared,
    AuthDbContext db)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public override async ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(
        string identifier, CancellationToken cancellationToken = default)
    {
        if (shared.TryGet(identifier, out var application))
        {
            return application;
        }

        application = await base.FindByClientIdAsync(identifier, cancellationToken);
        if (application is not null)
        {
            // Shared between requests from now on, so no context may track (or ever save) this instance.
            // Stores that need the row in this request (a new token's application) load their own.
            db.Entry(application).State = EntityState.Detached;
        }

        shared.Set(identifier, application);
        return application;
    }

    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken = default)
    {
        var organization = await organizations.FindAsync(application.ClientId, cancellationToken);
        return organization is not null && !string.IsNullOrEmpty(secret) && ClientAuthenticator.SecretMatches(organization, secret);
    }
}
