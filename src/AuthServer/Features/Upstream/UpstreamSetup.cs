using System.Security.Cryptography;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Client;
using OpenIddict.Client.AspNetCore;

namespace AuthServer.Features.Upstream;

public static class UpstreamSetup
{
    /// <summary>Paths OpenIddict's client handles (through the authentication middleware): the start and the callbacks.</summary>
    public const string PathPrefix = "/login/upstream";

    /// <summary>
    /// Sign-in through upstream providers with OpenIddict's client (beside, not inside, the OpenIddict server):
    /// authorization code with PKCE, state and nonce, ID token validation. Registrations are the organizations'
    /// connections (<see cref="UpstreamRegistrations"/>). The state token is protected with Data Protection (the
    /// key ring is shared through the database) and stored in OpenIddict's token table, so the callback may land
    /// on another instance and a state is used once.
    /// </summary>
    public static IServiceCollection AddUpstream(this IServiceCollection services)
    {
        services.AddOpenIddict().AddClient(options =>
        {
            options.AllowAuthorizationCodeFlow();

            // Required by OpenIddict's validation of the options. State tokens are Data Protection tokens (below),
            // so these keys protect nothing that crosses instances. Random AES and HMAC keys: the ephemeral RSA keys
            // OpenIddict offers were generated at every start, two RSA-2048 key generations (seconds of start-up
            // on a small instance; bench/README.md, issue 24).
            options.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)))
                .AddSigningKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
            options.UseDataProtection();

            // A placeholder: each connection's callback is /login/upstream/{id}/callback, recognised by MarkCallbacks.
            options.SetRedirectionEndpointUris("login/upstream/callback");
            options.AddEventHandler(UpstreamCallbacks.MarkCallbacks.Descriptor);
            options.AddEventHandler(UpstreamCallbacks.KeepChallengeErrors.Descriptor);

            options.UseAspNetCore()
                .EnableRedirectionEndpointPassthrough()
                .EnableErrorPassthrough();
            options.UseSystemNetHttp().SetProductInformation(typeof(UpstreamSetup).Assembly);
            // The handlers of the named providers (GitHub's userinfo, Microsoft's tenants, Apple's client secret).
            options.UseWebProviders();
        });

        services.Replace(ServiceDescriptor.Singleton<OpenIddictClientService, UpstreamRegistrations>());
        services.AddSingleton(provider => (UpstreamRegistrations)provider.GetRequiredService<OpenIddictClientService>());
        services.AddOptions<OpenIddictClientAspNetCoreOptions>().Configure<IOptions<ServerOptions>>((options, server) =>
            options.DisableTransportSecurityRequirement = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttp);

        services.AddScoped<UpstreamSignInService>();
        services.AddScoped<UpstreamConnectionAdmin>();
        services.AddSingleton<UpstreamAccountReader>();
        services.AddSingleton<UpstreamPendingCookie>();
        services.AddHttpClient(UpstreamAccountReader.GitHubClient, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(10);
            client.DefaultRequestHeaders.UserAgent.ParseAdd("AuthServer");
        });
        services.AddLoginMethod<UpstreamLoginMethod>();
        return services;
    }
}
