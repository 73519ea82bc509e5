using AuthServer.Data;
using AuthServer.Features.Connect;
using AuthServer.Features.Sessions;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AuthServer.Features.Tokens;

/// <summary>
/// Marks the code or refresh token being redeemed as used with one conditional UPDATE, in place of OpenIddict's
/// RedeemTokenEntry. OpenIddict ignores a failed mark for refresh tokens (it keeps a reuse leeway for clients
/// that retry), so refresh requests sent at the same moment all passed validation and all rotated: one stolen
/// refresh token raced against the client's own gave the thief a live chain. Here exactly one request moves
/// the row from valid to redeemed; every other one is a replay and is treated as one: refused with
/// invalid_grant, the authorization revoked (so the winner's new refresh token dies too; RFC 9700 §4.14.2)
/// and, for a code, its session ended (RFC 6749 §4.1.2), as a later replay already is.
/// </summary>
public sealed class RedeemTokenOnce(
    AuthDbContext db,
    IOpenIddictTokenManager tokens,
    IOpenIddictAuthorizationManager authorizations,
    SessionService sessions) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<RedeemTokenOnce>()
            .SetOrder(OpenIddictServerHandlers.RedeemTokenEntry.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType is not OpenIddictServerEndpointType.Token
            || !(context.Request.IsAuthorizationCodeGrantType() || context.Request.IsRefreshTokenGrantType()))
        {
            return;
        }

        var authentication = context.Transaction.GetProperty<ProcessAuthenticationContext>(typeof(ProcessAuthenticationContext).FullName!)
            ?? throw new InvalidOperationException("OpenIddict did not keep the authentication context of this sign-in.");
        var principal = context.Request.IsAuthorizationCodeGrantType() ? authentication.AuthorizationCodePrincipal : authentication.RefreshTokenPrincipal;
        var tokenId = principal?.GetTokenId();
        if (principal is null || string.IsNullOrEmpty(tokenId))
        {
            return; // no stored entry to mark (not issued by this server's token storage)
        }

        var now = (context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var marked = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Id == tokenId && t.Status == Statuses.Valid)
            .ExecuteUpdateAsync(set => set
                .SetProperty(t => t.Status, Statuses.Redeemed)
                .SetProperty(t => t.RedemptionDate, now)
                .SetProperty(t => t.ConcurrencyToken, Guid.NewGuid().ToString()), context.CancellationToken);
        if (marked == 1)
        {
            return;
        }

        // Another request redeemed it between this one's validation and now.
        if (principal.GetAuthorizationId() is { Length: > 0 } authorizationId)
        {
            await tokens.RevokeByAuthorizationIdAsync(authorizationId, context.CancellationToken);
            if (await authorizations.FindByIdAsync(authorizationId, context.CancellationToken) is { } authorization)
            {
                await authorizations.TryRevokeAsync(authorization, context.CancellationToken);
            }
        }

        if (context.Request.IsAuthorizationCodeGrantType() && Guid.TryParse(principal.GetClaim(ConnectClaims.SessionId), out var sessionId))
        {
            await sessions.EndAsync(sessionId, RevocationHandlers.EndSessionOfReplayedCode.SessionEndReason, context.CancellationToken);
        }

        context.Logger.LogWarning("A {TokenType} was redeemed by two requests at once; the later one is refused and the grant revoked.",
            context.Request.IsAuthorizationCodeGrantType() ? "code" : "refresh token");
        context.Reject(error: OpenIddictConstants.Errors.InvalidGrant, description: context.Request.IsAuthorizationCodeGrantType()
            ? "The authorization code has already been redeemed."
            : "The refresh token has already been redeemed.");
    }
}
