using System.Globalization;

namespace AuthServer.Features.Branding;

/// <summary>WCAG 2.2 contrast ratios of #rrggbb colours (relative luminance, §1.4.3: 4.5:1 for normal text).</summary>
public static class ColorContrast
{
    /// <summary>AA for normal-size text, which the accent's button label and links are.</summary>
    public const double MinimumTextRatio = 4.5;

    public static bool TryParse(string? value, out (double R, double G, double B) color)
    {
        color = default;
        if (value is not { Length: 7 } || value[0] != '#'
            || !int.TryParse(value.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rgb))
        {
            return false;
        }

        color = ((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
        return true;
    }

    public static bool IsColor(string? value) => TryParse(value, out _);

    /// <summary>The contrast ratio of two #rrggbb colours, 1 to 21.</summary>
    public static double Ratio(string first, string second)
    {
        if (!TryParse(first, out var a) || !TryParse(second, out var b))
        {
            throw new ArgumentException("Colours must be #rrggbb.");
        }

        var (l1, l2) = (Luminance(a), Luminance(b));
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }

    private static double Luminance((double R, double G, double B) color) =>
        0.2126 * Channel(color.R) + 0.7152 * Channel(color.G) + 0.0722 * Channel(color.B);

    private static double Channel(double value)
    {
        var s = value / 255;
        return s <= 0.04045 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
    }
}
