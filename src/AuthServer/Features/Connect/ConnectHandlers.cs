using AuthServer.Data.Entities;
using AuthServer.Features.Sessions;
using AuthServer.Features.Tokens;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AuthServer.Features.Connect;

/// <summary>Our additions to OpenIddict's request pipeline, each a small handler named for what it enforces.</summary>
public static class ConnectHandlers
{
    /// <summary>
    /// A token dies with its session: codes, refresh tokens, access tokens at userinfo and introspection are
    /// refused once the session they name (the `sid` claim) was ended, expired or idled out, or its user was
    /// blocked. The one SessionValidator decides.
    /// </summary>
    public sealed class RejectTokensOfEndedSessions(SessionValidator sessions) : IOpenIddictServerHandler<ProcessAuthenticationContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
                .UseScopedHandler<RejectTokensOfEndedSessions>()
                .SetOrder(OpenIddictServerHandlers.ValidateUserCode.Descriptor.Order + 1_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ProcessAuthenticationContext context)
        {
            // Revoking a token of an ended session must still work (RFC 7009), so revocation is left alone.
            if (context.EndpointType is not (OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.UserInfo or OpenIddictServerEndpointType.Introspection))
            {
                return;
            }

            var principal = context.AuthorizationCodePrincipal ?? context.RefreshTokenPrincipal ?? context.AccessTokenPrincipal ?? context.GenericTokenPrincipal;
            var sid = principal?.FindFirst(ConnectClaims.SessionId)?.Value;
            if (sid is null)
            {
                // Machine tokens (client_credentials) have no session.
                return;
            }

            var session = Guid.TryParse(sid, out var sessionId) ? await sessions.ValidateForTokenAsync(sessionId, context.CancellationToken) : default;
            if (session.Value is null)
            {
                context.Reject(
                    error: context.EndpointType == OpenIddictServerEndpointType.Token ? OpenIddictConstants.Errors.InvalidGrant : OpenIddictConstants.Errors.InvalidToken,
                    description: "The session of this token has ended.");
                return;
            }

            // The session was read with its user: userinfo answers from it instead of reading the user again.
            context.Transaction.SetProperty(ValidatedSessionProperty, session.Value);
        }

        private const string ValidatedSessionProperty = "authserver:validated_session";

        /// <summary>The session (with its user) this request's token was checked against, if one was.</summary>
        public static Session? ValidatedSessionOf(HttpContext context) =>
            context.Features.Get<OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreFeature>()?.Transaction?.GetProperty<Session>(ValidatedSessionProperty);
    }

    /// <summary>
    /// Access tokens and identity tokens are stateless JWTs: no token row is written for them. Codes and
    /// refresh tokens keep theirs (single use, rotation, revocation). Note: without this, every
    /// client_credentials grant cost a committed INSERT and every refresh three (access, refresh and id
    /// token), which capped the token endpoint at the database's commit rate (bench/README.md).
    /// Warning: an access token is therefore not revocable by itself. A user's access token still dies with
    /// its session and its authorization at introspection and userinfo (RejectTokensOfEndedSessions, and
    /// OpenIddict's authorization check through the token's authorization id); resource servers that only
    /// check the JWT accept it until it expires (Server:AccessTokenLifetime), as they always did.
    /// </summary>
    public sealed class SkipStorageOfStatelessTokens : IOpenIddictServerHandler<GenerateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
                .UseSingletonHandler<SkipStorageOfStatelessTokens>()
                .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(GenerateTokenContext context)
        {
            if (context.TokenType is TokenTypeIdentifiers.AccessToken or TokenTypeIdentifiers.IdentityToken)
            {
                context.CreateTokenEntry = false;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// No new identity token when a refresh token is redeemed, unless Tokens:IdentityTokenOnRefresh says so.
    /// OpenID Connect Core 1.0 §12.2 lets the refresh response omit it; relying parties keep the one from the
    /// sign-in, and the access token (sub, sid) and userinfo carry what changes. Leaving it out saves an RS256
    /// signature and the claims work of a second token on every rotation (bench/README.md, issue 24).
    /// </summary>
    public sealed class OmitIdentityTokenOnRefresh(IOptionsMonitor<TokenOptions> options) : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<OmitIdentityTokenOnRefresh>()
                .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.EndpointType is OpenIddictServerEndpointType.Token
                && context.Request.IsRefreshTokenGrantType()
                && !options.CurrentValue.IdentityTokenOnRefresh)
            {
                context.GenerateIdentityToken = false;
                context.IncludeIdentityToken = false;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Which key signs which token. Authorization codes and refresh tokens are read by this server only, so they
    /// are signed with the key ring's HMAC key instead of the RSA key OpenIddict picks for every token (one RSA
    /// private-key operation less per code and per rotation); they stay encrypted as before. Access tokens are
    /// signed with the P-256 key when Tokens:AccessTokenSigningAlgorithm is ES256 (a tenth of an RSA signature's
    /// CPU), otherwise as OpenIddict picks (RS256). Identity tokens are never touched: OpenIddict signs them with
    /// the first asymmetric key, the RSA one. bench/README.md, issue 24.
    /// </summary>
    public sealed class ChooseSigningCredentials(AuthServer.Hosting.ServerKeyRing keyRing, IOptionsMonitor<TokenOptions> options)
        : IOpenIddictServerHandler<GenerateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
                .UseSingletonHandler<ChooseSigningCredentials>()
                .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(GenerateTokenContext context)
        {
            var chosen = context.TokenType switch
            {
                TokenTypeIdentifiers.RefreshToken or TokenTypeIdentifiers.Private.AuthorizationCode => keyRing.InternalTokenSigning,
                TokenTypeIdentifiers.AccessToken => keyRing.AccessTokenSigning(options.CurrentValue),
                _ => null,
            };
            if (chosen is not null)
            {
                context.SigningCredentials = chosen;
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Discovery lists only RS256 under id_token_signing_alg_values_supported: OpenIddict lists the algorithm of every
    /// asymmetric key it holds, but the P-256 key signs access tokens only, never an identity token.
    /// </summary>
    public sealed class HideEcdsaFromIdTokenAlgorithms : IOpenIddictServerHandler<HandleConfigurationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
                .UseSingletonHandler<HideEcdsaFromIdTokenAlgorithms>()
                .SetOrder(OpenIddictServerHandlers.Discovery.AttachSigningAlgorithms.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleConfigurationRequestContext context)
        {
            context.IdTokenSigningAlgorithms.Remove(Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256);
            return ValueTask.CompletedTask;
        }
    }
}
