using AuthServer.Features.Organizations;
using Microsoft.Extensions.Localization;

namespace AuthServer.Pages;

/// <summary>
/// Builds the <see cref="PageContext"/> of a page: the language (ui_locales, then Accept-Language, then the
/// organization's default), the strings with their overrides, and the organization's branding.
/// </summary>
public sealed class PageContextFactory(IStringLocalizer<PageStrings> localizer)
{
    /// <param name="organization">The organization the page is for; null before it is known (error pages).</param>
    /// <param name="uiLocales">The app's ui_locales, space-separated, when it sent them.</param>
    /// <param name="translationsJson">The app's translations parameter (CentralAuth face), which wins over everything.</param>
    public PageContext For(HttpRequest? request, CachedOrganization? organization, string? uiLocales = null, string? translationsJson = null)
    {
        var culture = PageLanguage.Choose(uiLocales, request, null);
        var text = new PageText(localizer, culture, PageText.ParseOverrides(translationsJson));
        var branding = organization is null ? PageBranding.Default : new PageBranding(organization.Name);
        return new PageContext(text, branding);
    }

    /// <summary>The strings of a language without a request (emails composed for a known language).</summary>
    public PageText TextFor(System.Globalization.CultureInfo culture, IReadOnlyDictionary<string, string>? overrides = null) =>
        new(localizer, culture, overrides);
}
