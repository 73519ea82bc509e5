namespace AuthServer.Features.Organizations;

/// <summary>
/// Whitelist rules of the CentralAuth-style face: a callback is accepted on any path of a whitelisted
/// origin; localhost and 127.0.0.1 only when the organization allows localhost.
/// </summary>
public static class OriginRules
{
    /// <summary>scheme://host[:port] in lower case, default ports omitted; throws on anything else.</summary>
    public static string Normalize(string origin)
    {
        if (!TryGetOrigin(origin, out var normalized) || !string.Equals(normalized, origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{origin}' is not an origin (scheme://host[:port]).", nameof(origin));
        }

        return normalized;
    }

    /// <summary>The origin of an absolute http(s) URL, or false when it is not one.</summary>
    public static bool TryGetOrigin(string? url, out string origin)
    {
        origin = "";
        if (string.IsNullOrWhiteSpace(url)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.UserInfo)
            || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        return true;
    }

    public static bool IsLocalhost(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the organization accepts this origin for callbacks and userinfo domains.</summary>
    public static bool IsAllowed(CachedOrganization organization, string origin)
    {
        if (IsLocalhost(origin))
        {
            return organization.Settings.AllowLocalhost;
        }

        return organization.WhitelistedOrigins.Contains(origin);
    }
}
