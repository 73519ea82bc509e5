using System.Globalization;
using System.Text.Json;
using AuthServer.Data.Entities;
using AuthServer.Features.Branding;
using AuthServer.Features.Organizations;
using Microsoft.Extensions.Localization;

namespace AuthServer.Pages;

/// <summary>
/// Builds the <see cref="PageContext"/> of a page or email: the language (ui_locales, then Accept-Language, then the
/// organization's default), the strings with their overrides (the app's translations, then the organization's for
/// that language), and the organization's branding.
/// </summary>
public sealed class PageContextFactory(IStringLocalizer<PageStrings> localizer, IStringLocalizer<ErrorMessages> errorMessages)
{
    private readonly Lazy<IReadOnlyDictionary<string, string>> english = new(() => ReadEnglish(localizer));

    /// <param name="request">The browser's request (its Accept-Language); null for an email sent without one.</param>
    /// <param name="organization">The organization the page is for; null before it is known (error pages).</param>
    /// <param name="uiLocales">The app's ui_locales, space-separated, when it sent them.</param>
    /// <param name="translationsJson">The app's translations parameter (CentralAuth face), which wins over everything.</param>
    public PageContext For(HttpRequest? request, CachedOrganization? organization, string? uiLocales = null, string? translationsJson = null)
    {
        var branding = organization?.Branding;
        var culture = PageLanguage.Choose(uiLocales, request, branding?.DefaultLanguage);
        var overrides = PageText.Combine(SafeParse(translationsJson), OrganizationStrings(branding, culture));
        var text = new PageText(localizer, culture, overrides, errorMessages);
        return new PageContext(text, organization is null ? PageBranding.Default : Branding(organization))
        {
            BrandStylesheetUrl = branding is null ? null : BrandingUrls.Theme(branding),
        };
    }

    /// <summary>The keys of every page and email string (what an organization may override).</summary>
    public IReadOnlySet<string> KnownKeys => english.Value.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Every string in English, by key.</summary>
    public IReadOnlyDictionary<string, string> EnglishStrings => english.Value;

    private static PageBranding Branding(CachedOrganization organization)
    {
        var branding = organization.Branding;
        return new PageBranding(branding.DisplayName ?? organization.Name)
        {
            LogoUrl = BrandingUrls.Logo(organization.Id, branding),
            AccentColor = branding.AccentColor,
            AccentText = branding.AccentTextColor,
            SupportEmail = branding.SupportEmail,
            SupportUrl = branding.SupportUrl,
        };
    }

    private static IReadOnlyDictionary<string, string>? OrganizationStrings(OrganizationBranding? branding, CultureInfo culture)
    {
        if (branding?.StringOverrides is not { } json)
        {
            return null;
        }

        var all = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(json);
        return all?.GetValueOrDefault(culture.TwoLetterISOLanguageName);
    }

    /// <summary>The translations parameter was decoded and checked to be a JSON object when the request was made; anything else is ignored.</summary>
    private static IReadOnlyDictionary<string, string>? SafeParse(string? json)
    {
        try
        {
            return PageText.ParseOverrides(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyDictionary<string, string> ReadEnglish(IStringLocalizer<PageStrings> localizer)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return localizer.GetAllStrings(includeParentCultures: false).ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
