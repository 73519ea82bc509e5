using OpenIddict.Client;
using Microsoft.AspNetCore;
using static OpenIddict.Client.OpenIddictClientEvents;

namespace AuthServer.Features.Upstream;

public static class UpstreamCallbacks
{
    /// <summary>
    /// OpenIddict matches redirection endpoints by exact URI; ours carry the connection id. Any
    /// /login/upstream/{id}/callback is a redirection endpoint, and OpenIddict itself checks that it is the very
    /// URI the state token was issued for (its ValidateEndpointUri handler).
    /// </summary>
    public sealed class MarkCallbacks : IOpenIddictClientHandler<ProcessRequestContext>
    {
        public static OpenIddictClientHandlerDescriptor Descriptor { get; } = OpenIddictClientHandlerDescriptor.CreateBuilder<ProcessRequestContext>()
            .UseSingletonHandler<MarkCallbacks>()
            .SetOrder(OpenIddictClientHandlers.InferEndpointType.Descriptor.Order + 1)
            .SetType(OpenIddictClientHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ProcessRequestContext context)
        {
            if (context.EndpointType == OpenIddictClientEndpointType.Unknown && IsCallback(context.RequestUri?.AbsolutePath))
            {
                context.EndpointType = OpenIddictClientEndpointType.Redirection;
            }

            return default;
        }

        public static bool IsCallback(string? path) =>
            path is not null && path.StartsWith(UpstreamSetup.PathPrefix + "/", StringComparison.OrdinalIgnoreCase)
            && path.EndsWith("/callback", StringComparison.OrdinalIgnoreCase)
            && Guid.TryParseExact(path[(UpstreamSetup.PathPrefix.Length + 1)..^"/callback".Length], "N", out _);
    }

    /// <summary>The key under which a refused challenge leaves its error for the start endpoint.</summary>
    public const string ChallengeErrorItem = "AuthServer.Upstream.ChallengeError";

    /// <summary>
    /// A challenge the provider refuses before the browser leaves (a pushed authorization request answered
    /// invalid_client, say) would make OpenIddict write its own plain error response. Instead the error is left
    /// for the start endpoint, which shows it on the login page like every other upstream failure.
    /// </summary>
    public sealed class KeepChallengeErrors : IOpenIddictClientHandler<ProcessErrorContext>
    {
        public static OpenIddictClientHandlerDescriptor Descriptor { get; } = OpenIddictClientHandlerDescriptor.CreateBuilder<ProcessErrorContext>()
            .UseSingletonHandler<KeepChallengeErrors>()
            .SetOrder(int.MinValue + 50_000)
            .SetType(OpenIddictClientHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ProcessErrorContext context)
        {
            var request = context.Transaction.GetHttpRequest();
            if (request is not null && context.EndpointType != OpenIddictClientEndpointType.Redirection
                && request.Path.StartsWithSegments(UpstreamSetup.PathPrefix, StringComparison.OrdinalIgnoreCase))
            {
                request.HttpContext.Items[ChallengeErrorItem] = $"{context.Error}: {context.ErrorDescription}";
                context.HandleRequest();
            }

            return default;
        }
    }
}
