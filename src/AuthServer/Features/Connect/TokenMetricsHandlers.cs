using AuthServer.Hosting.Telemetry;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AuthServer.Features.Connect;

/// <summary>Counts for <see cref="AuthMetrics"/> taken from OpenIddict's pipeline: tokens issued, and redeemed tokens presented again.</summary>
public static class TokenMetricsHandlers
{
    /// <summary>A successful token response, by grant type.</summary>
    public sealed class CountIssuedTokens : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<CountIssuedTokens>()
                .SetOrder(int.MinValue + 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (string.IsNullOrEmpty(context.Error) && !string.IsNullOrEmpty(context.Response.AccessToken))
            {
                // Grant types outside the known few are folded into one label (no unbounded label values).
                var grant = context.Request?.GrantType;
                AuthMetrics.TokenIssued(grant is GrantTypes.AuthorizationCode or GrantTypes.RefreshToken or GrantTypes.ClientCredentials ? grant : "other");
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// A refresh token or authorization code that was already redeemed, presented again: the token entry is read
    /// (OpenIddict reads the same entry right after, from the manager's cache) and the reuse is counted; OpenIddict
    /// itself refuses it and revokes the authorization's tokens.
    /// </summary>
    public sealed class CountReusedTokens(IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseScopedHandler<CountReusedTokens>()
                .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 2)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is not { } principal || string.IsNullOrEmpty(context.TokenId))
            {
                return;
            }

            var type = principal.HasTokenType(TokenTypeIdentifiers.RefreshToken) ? "refresh_token"
                : principal.HasTokenType(TokenTypeIdentifiers.Private.AuthorizationCode) ? "authorization_code"
                : null;
            if (type is null)
            {
                return;
            }

            var token = await tokens.FindByIdAsync(context.TokenId, context.CancellationToken);
            if (token is not null && await tokens.HasStatusAsync(token, Statuses.Redeemed, context.CancellationToken))
            {
                AuthMetrics.TokenReuseDetected(type);
            }
        }
    }
}
