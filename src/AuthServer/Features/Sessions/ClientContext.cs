namespace AuthServer.Features.Sessions;

/// <summary>Who is on the other end of a sign-in or a session check: the end user's IP, user agent and device id.</summary>
public sealed record ClientContext(string? Ip, string? UserAgent, string? DeviceId)
{
    /// <summary>The browser talking to us directly (login page).</summary>
    public static ClientContext FromBrowser(HttpContext context) => new(
        NormalizeIp(context.Connection.RemoteIpAddress?.ToString()),
        Truncate(context.Request.Headers.UserAgent.ToString(), 1024),
        null);

    /// <summary>
    /// An app calling on behalf of its user: the app forwards the user's IP in <c>auth-ip</c>, the user
    /// agent and, for native apps, <c>device-id</c> (docs/protocol.md §3).
    /// </summary>
    public static ClientContext FromForwardingApp(HttpRequest request) => new(
        NormalizeIp(Truncate(request.Headers["auth-ip"].ToString(), 64)),
        Truncate(request.Headers.UserAgent.ToString(), 1024),
        Truncate(request.Headers["device-id"].ToString(), 256));

    /// <summary>
    /// One spelling per address, so the IP bound at login compares equal to the one an app forwards: a
    /// dual-stack socket reports 1.2.3.4 as ::ffff:1.2.3.4. Anything unparsable is kept as given.
    /// </summary>
    public static string? NormalizeIp(string? ip)
    {
        if (!System.Net.IPAddress.TryParse(ip, out var address))
        {
            return ip;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static string? Truncate(string value, int length) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= length ? value : value[..length];
}
