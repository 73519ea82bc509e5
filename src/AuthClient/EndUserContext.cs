using System.Net;
using Microsoft.AspNetCore.Http;

namespace AuthServer.Client;

/// <summary>
/// The end user an app calls the auth server for: their IP, user agent and (native apps) device id, which
/// the server compares with the session's when the organization enables hijack protection.
/// </summary>
/// <param name="Ip">The end user's IP address (<c>auth-ip</c>).</param>
/// <param name="UserAgent">The end user's user agent (<c>user-agent</c>).</param>
/// <param name="DeviceId">A native app's device id (<c>device-id</c>), if any.</param>
public sealed record EndUserContext(string Ip, string? UserAgent, string? DeviceId = null)
{
    /// <summary>The IP sent when none is known.</summary>
    public const string UnknownIp = "0.0.0.0";

    /// <summary>
    /// Reads the end user from the app's request: the IP is the first <c>X-Forwarded-For</c> entry, else
    /// <c>X-Real-IP</c> (both only when <paramref name="useForwardedHeaders"/>), else the connection's remote
    /// address, else <c>0.0.0.0</c>; the user agent and <c>device-id</c> headers as sent.
    /// </summary>
    /// <param name="request">The end user's request to the app.</param>
    /// <param name="useForwardedHeaders">Whether to trust <c>X-Forwarded-For</c> / <c>X-Real-IP</c>.</param>
    public static EndUserContext FromRequest(HttpRequest request, bool useForwardedHeaders = true)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? ip = null;
        if (useForwardedHeaders)
        {
            ip = FirstEntry(request.Headers["X-Forwarded-For"].ToString()) ?? FirstEntry(request.Headers["X-Real-IP"].ToString());
        }

        ip ??= Normalize(request.HttpContext.Connection.RemoteIpAddress);
        return new EndUserContext(
            ip ?? UnknownIp,
            NullIfEmpty(request.Headers.UserAgent.ToString()),
            NullIfEmpty(request.Headers["device-id"].ToString()));
    }

    private static string? FirstEntry(string header)
    {
        var first = header.Split(',', 2)[0].Trim();
        return first.Length == 0 ? null : first;
    }

    private static string? Normalize(IPAddress? address) =>
        address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
