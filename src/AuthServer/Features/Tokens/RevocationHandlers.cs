using AuthServer.Features.Connect;
using AuthServer.Features.Sessions;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AuthServer.Features.Tokens;

/// <summary>Our additions to OpenIddict's pipeline that make tokens die when they should.</summary>
public static class RevocationHandlers
{
    /// <summary>
    /// A token whose `jti` was revoked is refused at the token endpoint, userinfo and introspection. The check is
    /// a lookup in <see cref="RevokedTokenCache"/>: no database round trip.
    /// </summary>
    public sealed class RejectRevokedTokens(RevokedTokenCache revoked) : IOpenIddictServerHandler<ProcessAuthenticationContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
                .UseSingletonHandler<RejectRevokedTokens>()
                .SetOrder(ConnectHandlers.RejectTokensOfEndedSessions.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessAuthenticationContext context)
        {
            if (context.EndpointType is not (OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.UserInfo or OpenIddictServerEndpointType.Introspection))
            {
                return ValueTask.CompletedTask;
            }

            var principal = context.AuthorizationCodePrincipal ?? context.RefreshTokenPrincipal ?? context.AccessTokenPrincipal ?? context.GenericTokenPrincipal;
            if (revoked.IsRevoked(principal?.GetClaim(Claims.JwtId)))
            {
                context.Reject(
                    error: context.EndpointType == OpenIddictServerEndpointType.Token ? OpenIddictConstants.Errors.InvalidGrant : OpenIddictConstants.Errors.InvalidToken,
                    description: "The token was revoked.");
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Replaces OpenIddict's revocation, which only knows stored tokens and answered `unsupported_token_type` for
    /// our stateless access tokens (RFC 7009 §2.2 says servers SHOULD revoke them):
    /// - an access token: its `jti` goes on the revoked list until it expires (<see cref="TokenRevocation"/>);
    /// - a refresh token: it, its chain (every token of its authorization) and its session end, so the access
    ///   tokens issued from that session die with it at introspection, userinfo and refresh.
    /// Ownership was checked before (<see cref="TokenOwnership.RestrictRevocation"/>).
    /// </summary>
    public sealed class RevokeTokenOrItsSession(IOpenIddictTokenManager tokens, TokenRevocation revocation, SessionService sessions)
        : IOpenIddictServerHandler<HandleRevocationRequestContext>
    {
        public const string SessionEndReason = "token_revoked";

        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
                .UseScopedHandler<RevokeTokenOrItsSession>()
                .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(HandleRevocationRequestContext context)
        {
            var principal = context.GenericTokenPrincipal ?? throw new InvalidOperationException("OpenIddict did not attach the revoked token's principal.");
            var cancellationToken = context.CancellationToken;
            if (principal.HasTokenType(TokenTypeIdentifiers.AccessToken))
            {
                if (principal.GetClaim(Claims.JwtId) is not { Length: > 0 } jti || principal.GetExpirationDate() is not { } expiresAt)
                {
                    context.Reject(OpenIddictConstants.Errors.UnsupportedTokenType, "This access token cannot be revoked.");
                    return;
                }

                await revocation.RevokeAsync(jti, expiresAt, cancellationToken);
                return;
            }

            var token = principal.GetTokenId() is { } id ? await tokens.FindByIdAsync(id, cancellationToken) : null;
            if (token is null)
            {
                context.Reject(OpenIddictConstants.Errors.InvalidToken, "The token is unknown.");
                return;
            }

            await tokens.TryRevokeAsync(token, cancellationToken);
            if (principal.GetAuthorizationId() is { Length: > 0 } authorizationId)
            {
                await tokens.RevokeByAuthorizationIdAsync(authorizationId, cancellationToken);
            }

            if (Guid.TryParse(principal.GetClaim(ConnectClaims.SessionId), out var sessionId))
            {
                await sessions.EndAsync(sessionId, SessionEndReason, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A second redemption of an authorization code (RFC 6749 §4.1.2) ends the session the code was issued for:
    /// every token from it then fails introspection, userinfo and refresh at once, including the stateless
    /// access tokens of the first redemption. OpenIddict then refuses the code and revokes the stored tokens
    /// of its authorization. The token entry was loaded already by the validation, so this reads its cache.
    /// </summary>
    public sealed class EndSessionOfReplayedCode(IOpenIddictTokenManager tokens, SessionService sessions) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public const string SessionEndReason = "code_reused";

        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseScopedHandler<EndSessionOfReplayedCode>()
                .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is not { } principal || !principal.HasTokenType(TokenTypeIdentifiers.Private.AuthorizationCode)
                || string.IsNullOrEmpty(context.TokenId) || !Guid.TryParse(principal.GetClaim(ConnectClaims.SessionId), out var sessionId))
            {
                return;
            }

            var token = await tokens.FindByIdAsync(context.TokenId, context.CancellationToken);
            if (token is not null && await tokens.HasStatusAsync(token, Statuses.Redeemed, context.CancellationToken))
            {
                await sessions.EndAsync(sessionId, SessionEndReason, context.CancellationToken);
            }
        }
    }
}
