using OpenIddict.Client;
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
}
