namespace AuthServer.Features.Account;

/// <summary>
/// A user agent in the short form a person recognises ("Firefox", "Windows"), from the tokens browsers have
/// sent for years. Order matters: Edge and Opera also say Chrome, Chrome also says Safari, iOS also says Mac OS.
/// Anything else is unknown rather than guessed.
/// </summary>
public static class DeviceName
{
    public static (string? Browser, string? System) Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return (null, null);
        }

        return (Browser(userAgent), System(userAgent));
    }

    private static string? Browser(string ua) =>
        Has(ua, "Edg/") || Has(ua, "EdgA/") || Has(ua, "EdgiOS/") ? "Edge"
        : Has(ua, "OPR/") || Has(ua, "Opera") ? "Opera"
        : Has(ua, "SamsungBrowser/") ? "Samsung Internet"
        : Has(ua, "Firefox/") || Has(ua, "FxiOS/") ? "Firefox"
        : Has(ua, "Chrome/") || Has(ua, "CriOS/") || Has(ua, "Chromium/") ? "Chrome"
        : Has(ua, "Safari/") && Has(ua, "Version/") ? "Safari"
        : null;

    private static string? System(string ua) =>
        Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod") ? "iOS"
        : Has(ua, "Android") ? "Android"
        : Has(ua, "CrOS") ? "ChromeOS"
        : Has(ua, "Windows") ? "Windows"
        : Has(ua, "Mac OS X") || Has(ua, "Macintosh") ? "macOS"
        : Has(ua, "Linux") ? "Linux"
        : null;

    private static bool Has(string ua, string token) => ua.Contains(token, StringComparison.Ordinal);
}
