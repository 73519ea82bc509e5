using AuthServer.Data;
using AuthServer.Features.Connect;
using AuthServer.Features.Tokens;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AuthServer.Hosting;

public static class OpenIddictSetup
{
    /// <summary>The standard OAuth 2.0 / OpenID Connect face, read top to bottom.</summary>
    public static IServiceCollection AddAuthOpenIddict(this IServiceCollection services)
    {
        services.AddOpenIddict()
            // Applications, authorizations, scopes and tokens live in our PostgreSQL database.
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>();
                // Client secrets are the organizations' own, checked like on every other face.
                core.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, OrganizationApplicationManager>();
            })
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetEndSessionEndpointUris("connect/endsession");

                // Authorization code (with PKCE, required for every client), refresh tokens, machine clients.
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                options.AllowRefreshTokenFlow();
                options.AllowClientCredentialsFlow();

                options.RegisterScopes("openid", "email", "profile", "offline_access");

                // Access tokens are plain signed JWTs so resource servers can validate them with the JWKS.
                options.DisableAccessTokenEncryption();

                // Our endpoints decide who is signed in; OpenIddict validates the protocol around them.
                options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableStatusCodePagesIntegration();

                // PKCE with S256 only: "plain" offers no protection if the request is observed (RFC 9700 §2.1.1).
                options.Configure(o => o.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));

                // Only the prompt values that do something here: no consent screen, no account chooser.
                options.Configure(o =>
                {
                    o.PromptValues.Remove(PromptValues.Consent);
                    o.PromptValues.Remove(PromptValues.SelectAccount);
                });

                // Refresh tokens rotate on every use; presenting a used one revokes the whole chain at once.
                options.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                options.RegisterClaims(Claims.Subject, ConnectClaims.SessionId, Claims.Email, Claims.EmailVerified, Claims.UpdatedAt, Claims.AuthenticationTime, Claims.AuthenticationMethodReference);

                // Organizations authenticate with their client secret (Basic or in the form). No organization can
                // register a public key, so private_key_jwt is neither advertised nor accepted.
                options.Configure(o =>
                {
                    o.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
                    o.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.ClientSecretJwt);
                });

                // The sign-in core's request rules, and errors redirected to the client once it and its redirect URI are valid.
                options.AddEventHandler(ConnectRequestRules.ApplySignInRequestRules.Descriptor);
                options.AddEventHandler(ConnectRequestRules.RedirectErrorsToTrustedClients.Descriptor);

                options.AddEventHandler(ConnectHandlers.RejectTokensOfEndedSessions.Descriptor);
                // Introspection and revocation answer only about the caller's own tokens.
                options.AddEventHandler(TokenOwnership.RestrictIntrospection.Descriptor);
                options.AddEventHandler(TokenOwnership.RestrictRevocation.Descriptor);
                // Revoked access tokens (by jti, from memory), revocation of every token type, code replay.
                options.AddEventHandler(RevocationHandlers.RejectRevokedTokens.Descriptor);
                options.RemoveEventHandler(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor);
                options.AddEventHandler(RevocationHandlers.RevokeTokenOrItsSession.Descriptor);
                options.AddEventHandler(RevocationHandlers.EndSessionOfReplayedCode.Descriptor);
                // Codes and refresh tokens are single use under concurrency too (one conditional UPDATE).
                options.RemoveEventHandler(OpenIddictServerHandlers.RedeemTokenEntry.Descriptor);
                options.AddEventHandler(RedeemTokenOnce.Descriptor);
                // Access and identity tokens are stateless JWTs: no database write per token.
                options.AddEventHandler(ConnectHandlers.SkipStorageOfStatelessTokens.Descriptor);
                options.AddEventHandler(ConnectHandlers.OmitIdentityTokenOnRefresh.Descriptor);
                options.AddEventHandler(ConnectHandlers.ChooseSigningCredentials.Descriptor);
                options.AddEventHandler(ConnectHandlers.HideEcdsaFromIdTokenAlgorithms.Descriptor);
                // Counters of tokens issued and of redeemed tokens presented again (Hosting/Telemetry).
                options.AddEventHandler(TokenMetricsHandlers.CountIssuedTokens.Descriptor);
                options.AddEventHandler(TokenMetricsHandlers.CountReusedTokens.Descriptor);
            });

        // The issuer is the public base URL, so tokens name the same issuer on every instance.
        services.AddOptions<OpenIddictServerOptions>().Configure<IOptions<ServerOptions>>((options, server) =>
        {
            options.Issuer = server.Value.PublicBaseUri;
            options.AccessTokenLifetime = server.Value.AccessTokenLifetime;
        });

        // Note: plain http is accepted only when the public URL itself is http (local development).
        services.AddOptions<OpenIddictServerAspNetCoreOptions>().Configure<IOptions<ServerOptions>>((options, server) =>
            options.DisableTransportSecurityRequirement = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttp);

        // Keys come from ServerKeyRing (certificate files or database), loaded at start-up.
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureOpenIddictKeys>();
        // After OpenIddict's own post-configuration, which sorts the credentials; rebuilt when the keys rotate.
        services.AddSingleton<IPostConfigureOptions<OpenIddictServerOptions>, KeepCurrentKeysFirst>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>, KeyRingChangeTokenSource>();
        services.AddHostedService<KeyRingRefresher>();
        services.AddScoped<KeyRotationService>();
        services.AddScoped<OpenIddictClientSync>();
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<TokenOptions>, TokenOptionsValidation>();
        services.AddSingleton<RevokedTokenCache>();
        services.AddScoped<TokenRevocation>();
        services.AddScoped<AuthServer.Features.Tokens.Refresh.RefreshTokenRotation>();
        // One instance: start-up loads the list with it (ServerStartup), then it polls.
        services.AddSingleton<RevokedTokenSync>();
        services.AddHostedService(provider => provider.GetRequiredService<RevokedTokenSync>());
        return services;
    }
}
