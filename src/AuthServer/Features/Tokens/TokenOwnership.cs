using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AuthServer.Features.Tokens;

/// <summary>
/// Introspection and revocation answer only about the calling client's own tokens (RFC 7662 §4, RFC 7009
/// §2.1): on a multi-tenant server an organization must not learn, or end, another organization's tokens.
/// OpenIddict's own check is skipped for access tokens without an audience (ours have none), so this one
/// requires the caller to be the token's presenter, the client it was issued to. A refusal is `invalid_token`,
/// which OpenIddict turns into `{"active": false}` on introspection and an empty 200 on revocation.
/// </summary>
public static class TokenOwnership
{
    public sealed class RestrictIntrospection : IOpenIddictServerHandler<ValidateIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
                .UseSingletonHandler<RestrictIntrospection>()
                .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
        {
            if (!IsOwner(context.GenericTokenPrincipal, context.ClientId))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidToken, "The token was not issued to this client.");
            }

            return ValueTask.CompletedTask;
        }
    }

    public sealed class RestrictRevocation : IOpenIddictServerHandler<ValidateRevocationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
                .UseSingletonHandler<RestrictRevocation>()
                .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthorizedParty.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateRevocationRequestContext context)
        {
            if (!IsOwner(context.GenericTokenPrincipal, context.ClientId))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidToken, "The token was not issued to this client.");
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Every token this server issues names its client as presenter; one naming none belongs to nobody.</summary>
    private static bool IsOwner(System.Security.Claims.ClaimsPrincipal? principal, string? clientId) =>
        principal is not null && !string.IsNullOrEmpty(clientId) && principal.HasPresenter(clientId);
}
