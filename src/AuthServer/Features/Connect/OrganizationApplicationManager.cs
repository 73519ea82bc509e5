using AuthServer.Features.Organizations;
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
/// </summary>
public sealed class OrganizationApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    OrganizationCache organizations)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken = default)
    {
        var organization = await organizations.FindAsync(application.ClientId, cancellationToken);
        return organization is not null && !string.IsNullOrEmpty(secret) && ClientAuthenticator.SecretMatches(organization, secret);
    }
}
