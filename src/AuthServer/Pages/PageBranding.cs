namespace AuthServer.Pages;

/// <summary>
/// How an organization's pages and emails look: the name in the header, a logo, the accent colour (and the
/// text colour readable on it), where people get help. <see cref="Default"/> is the server's own look, for
/// pages shown before an organization is known.
/// </summary>
public sealed record PageBranding(string DisplayName)
{
    public static PageBranding Default { get; } = new("");

    /// <summary>Absolute or server-relative URL of the logo; null draws the name only.</summary>
    public string? LogoUrl { get; init; }

    /// <summary>Accent colour as #rrggbb (checked for contrast against <see cref="AccentText"/>); null keeps the stylesheet's.</summary>
    public string? AccentColor { get; init; }

    /// <summary>The text colour on the accent (#ffffff or #000000, whichever the check passed with).</summary>
    public string? AccentText { get; init; }

    public string? SupportEmail { get; init; }
    public string? SupportUrl { get; init; }
}
