using System.Collections.Concurrent;
using System.Security.Cryptography;
using AuthServer.Data;
using AuthServer.Features.Organizations;
using AuthServer.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Client;
using OpenIddict.Client.WebIntegration;
using static OpenIddict.Client.WebIntegration.OpenIddictClientWebIntegrationConstants;

namespace AuthServer.Features.Upstream;

/// <summary>
/// OpenIddict's client resolves a registration by id on every step (challenge, redirection, HTTP clients); its
/// default reads the static registrations of its options. Here the registrations are the organizations'
/// upstream connections, read from the organization cache, so an admin change applies on every instance within
/// the cache's lifetime without a restart. The registration id is the connection id.
/// </summary>
public sealed class UpstreamRegistrations(IServiceProvider provider, OrganizationCache organizations, IServiceScopeFactory scopes, IOptions<ServerOptions> server)
    : OpenIddictClientService(provider)
{
    /// <summary>Which organization a connection belongs to: it never changes, so it is looked up once.</summary>
    private readonly ConcurrentDictionary<Guid, Guid> _owners = new();

    /// <summary>Built registrations by connection and version: the discovery document and keys are cached inside.</summary>
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Updated, OpenIddictClientRegistration Registration)> _built = new();

    public static string RegistrationId(Guid connectionId) => connectionId.ToString("N");

    /// <summary>The redirect URI the organization registers at the provider: one per connection.</summary>
    public static Uri RedirectUri(Uri publicBase, Guid connectionId) => new(publicBase, $"login/upstream/{RegistrationId(connectionId)}/callback");

    public override async ValueTask<OpenIddictClientRegistration> GetClientRegistrationByIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParseExact(identifier, "N", out var connectionId))
        {
            throw new InvalidOperationException("No upstream connection has this registration id.");
        }

        var (_, connection) = await FindAsync(connectionId, cancellationToken);
        return connection is null
            ? throw new InvalidOperationException("No upstream connection has this registration id.")
            : Registration(connection);
    }

    /// <summary>The connection and its organization, from the organization cache; nulls when either is gone.</summary>
    public async Task<(CachedOrganization? Organization, CachedUpstreamConnection? Connection)> FindAsync(Guid connectionId, CancellationToken cancellationToken)
    {
        if (!_owners.TryGetValue(connectionId, out var organizationId))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var owner = await db.UpstreamConnections.AsNoTracking().Where(c => c.Id == connectionId).Select(c => (Guid?)c.OrganizationId).SingleOrDefaultAsync(cancellationToken);
            if (owner is null)
            {
                return (null, null);
            }

            organizationId = _owners.GetOrAdd(connectionId, owner.Value);
        }

        var organization = await organizations.FindAsync(organizationId, cancellationToken);
        return (organization, organization?.UpstreamConnections.FirstOrDefault(c => c.Id == connectionId));
    }

    /// <summary>The registration of this version of the connection, built once.</summary>
    public OpenIddictClientRegistration Registration(CachedUpstreamConnection connection)
    {
        if (_built.TryGetValue(connection.Id, out var built) && built.Updated == connection.Updated)
        {
            return built.Registration;
        }

        var registration = Build(connection, server.Value.PublicBaseUri);
        _built[connection.Id] = (connection.Updated, registration);
        return registration;
    }

    /// <summary>The OpenIddict registration of a connection; named providers get their endpoints and quirks from OpenIddict's Web integration.</summary>
    public OpenIddictClientRegistration Build(CachedUpstreamConnection connection, Uri publicBase)
    {
        var registration = new OpenIddictClientRegistration
        {
            RegistrationId = RegistrationId(connection.Id),
            ProviderName = RegistrationId(connection.Id),
            ProviderDisplayName = connection.ButtonName,
            ClientId = connection.ClientId,
            RedirectUri = RedirectUri(publicBase, connection.Id),
        };

        switch (connection.Kind)
        {
            case UpstreamKinds.Google:
                registration.ClientSecret = connection.ClientSecret;
                Named(registration, ProviderTypes.Google, new OpenIddictClientWebIntegrationSettings.Google(), connection, ["openid", "email", "profile"]);
                break;
            case UpstreamKinds.Microsoft:
                registration.ClientSecret = connection.ClientSecret;
                Named(registration, ProviderTypes.Microsoft, new OpenIddictClientWebIntegrationSettings.Microsoft { Tenant = string.IsNullOrWhiteSpace(connection.Tenant) ? "common" : connection.Tenant },
                    connection, ["openid", "email", "profile"]);
                break;
            case UpstreamKinds.GitHub:
                registration.ClientSecret = connection.ClientSecret;
                // user:email lets the server read the account's verified primary address (GET /user/emails).
                Named(registration, ProviderTypes.GitHub, new OpenIddictClientWebIntegrationSettings.GitHub(), connection, ["read:user", "user:email"]);
                break;
            case UpstreamKinds.Apple:
                // Apple's client secret is a short JWT signed with the developer's key; OpenIddict makes it per request.
                Named(registration, ProviderTypes.Apple, new OpenIddictClientWebIntegrationSettings.Apple
                {
                    TeamId = connection.TeamId ?? "",
                    SigningKey = AppleKey(connection.ClientSecret, connection.KeyId),
                }, connection, ["openid", "email", "name"]);
                break;
            default:
                registration.ClientSecret = connection.ClientSecret;
                registration.Issuer = new Uri(connection.Issuer!, UriKind.Absolute);
                AddScopes(registration, connection, ["openid", "email", "profile"]);
                break;
        }

        registration.ConfigurationManager = registration.Configuration is { } configuration
            ? new StaticConfigurationManager<OpenIddictConfiguration>(WithIssuer(configuration, registration.Issuer!))
            : new ConfigurationManager<OpenIddictConfiguration>(
                new Uri(EnsureTrailingSlash(registration.Issuer!), registration.ConfigurationEndpoint ?? new Uri(".well-known/openid-configuration", UriKind.Relative)).AbsoluteUri,
                new OpenIddictClientRetriever(this, registration))
            {
                AutomaticRefreshInterval = ConfigurationManager<OpenIddictConfiguration>.DefaultAutomaticRefreshInterval,
                RefreshInterval = ConfigurationManager<OpenIddictConfiguration>.DefaultRefreshInterval,
            };
        return registration;
    }

    private static void Named(OpenIddictClientRegistration registration, string providerType, object settings, CachedUpstreamConnection connection, string[] defaults)
    {
        registration.ProviderType = providerType;
        registration.ProviderSettings = settings;
        AddScopes(registration, connection, defaults);
        var name = registration.ProviderName;
        // Fills the issuer, endpoints and the provider's required settings, as OpenIddict does for static providers.
        OpenIddictClientWebIntegrationConfiguration.ConfigureProvider(registration);
        registration.ProviderName = name;
    }

    private static void AddScopes(OpenIddictClientRegistration registration, CachedUpstreamConnection connection, string[] defaults)
    {
        registration.Scopes.UnionWith(defaults);
        registration.Scopes.UnionWith(connection.Scopes);
    }

    private static OpenIddictConfiguration WithIssuer(OpenIddictConfiguration configuration, Uri issuer)
    {
        configuration.Issuer ??= issuer;
        return configuration;
    }

    /// <summary>Discovery is relative to the issuer's path (Microsoft's issuer ends in /v2.0).</summary>
    private static Uri EnsureTrailingSlash(Uri issuer) => issuer.AbsoluteUri.EndsWith('/') ? issuer : new Uri(issuer.AbsoluteUri + "/");

    /// <summary>Apple's .p8 key (PKCS#8 PEM, EC P-256).</summary>
    public static ECDsaSecurityKey AppleKey(string pem, string? keyId)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        return new ECDsaSecurityKey(ecdsa) { KeyId = keyId };
    }
}
