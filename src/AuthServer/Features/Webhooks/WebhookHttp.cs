using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Webhooks;

/// <summary>
/// The HTTP client of webhook deliveries. The SSRF rule is enforced where it cannot be dodged: at connect time,
/// on the address the name resolved to (a public-looking name resolving to 127.0.0.1 or 10.x is refused, and a
/// DNS answer cannot change between the check and the connection). No redirects are followed (a redirect to an
/// internal address would otherwise bypass the rule); no proxy from the environment; no cookies.
/// </summary>
public static class WebhookHttp
{
    public const string ClientName = "webhooks";

    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    ConnectTimeout = options.Timeout,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options.AllowPrivateNetworks, cancellationToken),
                };
            });
        return services;
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        // "localhost" and its subdomains are loopback by definition (RFC 6761), whatever a resolver would say.
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal]
            : IsLocalhostName(host) ? [IPAddress.Loopback]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = allowPrivate ? addresses : addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookTargetRefusedException(addresses.Length == 0
                ? $"{context.DnsEndPoint.Host} does not resolve."
                : $"{context.DnsEndPoint.Host} resolves only to non-public addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}); Webhooks:AllowPrivateNetworks is off.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsLocalhostName(string host) =>
        host.TrimEnd('.').Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.TrimEnd('.').EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether an address is on the public internet: not loopback, private, link-local, CGNAT, multicast, unspecified or reserved.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)   // carrier-grade NAT
                || (b[0] == 169 && b[1] == 254)                // link-local (cloud metadata)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }

        var bytes = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
            || (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b) // NAT64 could reach private IPv4
            || bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8);  // documentation
    }
}

/// <summary>The endpoint's address is not allowed (SSRF rule) or does not resolve.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
