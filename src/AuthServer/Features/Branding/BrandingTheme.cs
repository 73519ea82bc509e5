using System.Text.RegularExpressions;

namespace AuthServer.Features.Branding;

/// <summary>
/// The stylesheet of an accent colour (the CSP allows no inline style, so the colour comes as a file). Its URL
/// carries the colours (<c>2453d6-ffffff.css</c>); the contrast is checked again here, so the URL cannot be
/// used to draw unreadable buttons. Links take the accent where it reads on the card (4.5:1), in light and dark
/// mode separately; otherwise they keep the stylesheet's colours.
/// </summary>
public static partial class BrandingTheme
{
    /// <summary>The card backgrounds of login.css, light and dark.</summary>
    public const string LightCard = "#ffffff";
    public const string DarkCard = "#1c2128";

    public static string? Stylesheet(string colors)
    {
        var match = ColorsPattern().Match(colors);
        if (!match.Success)
        {
            return null;
        }

        var (accent, text) = ("#" + match.Groups[1].Value, "#" + match.Groups[2].Value);
        if (text is not (BrandingValidation.White or BrandingValidation.Black) || ColorContrast.Ratio(accent, text) < ColorContrast.MinimumTextRatio)
        {
            return null;
        }

        // Hover keeps the colour (a shade could fall below the ratio checked above); the cursor and focus ring remain.
        var css = $":root {{ --accent: {accent}; --accent-hover: {accent}; --on-accent: {text}; }}\n";
        if (ColorContrast.Ratio(accent, LightCard) >= ColorContrast.MinimumTextRatio)
        {
            css += $"@media (prefers-color-scheme: light) {{ :root {{ --link: {accent}; }} }}\n";
        }

        if (ColorContrast.Ratio(accent, DarkCard) >= ColorContrast.MinimumTextRatio)
        {
            css += $"@media (prefers-color-scheme: dark) {{ :root {{ --link: {accent}; }} }}\n";
        }

        return css;
    }

    [GeneratedRegex("^([0-9a-f]{6})-([0-9a-f]{6})\\.css$")]
    private static partial Regex ColorsPattern();
}
