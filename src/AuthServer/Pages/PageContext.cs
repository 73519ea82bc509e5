using System.Globalization;

namespace AuthServer.Pages;

/// <summary>
/// What every component of one page (or email) shares, cascaded from <see cref="PageHost"/>: the language and
/// its strings, the organization's branding, and the embed origin. Components take it as
/// <c>[CascadingParameter] public required PageContext Page { get; set; }</c>.
/// </summary>
public sealed record PageContext(PageText Text, PageBranding Branding)
{
    public CultureInfo Culture => Text.Culture;

    /// <summary>The html element's lang attribute (en, nl, de).</summary>
    public string Lang => Culture.Name.Length == 0 ? PageLanguage.Fallback : Culture.TwoLetterISOLanguageName;

    /// <summary>The html element's dir attribute.</summary>
    public string Dir => Culture.TextInfo.IsRightToLeft ? "rtl" : "ltr";

    /// <summary>The app origin allowed to frame the page and to receive its height (embed=1); null when not embedded.</summary>
    public string? EmbedOrigin { get; init; }

    /// <summary>The stylesheet of the organization's accent colour, when it has one (a URL: the CSP allows no inline style).</summary>
    public string? BrandStylesheetUrl { get; init; }
}
