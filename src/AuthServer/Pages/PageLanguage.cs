using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace AuthServer.Pages;

/// <summary>
/// Which of the supported languages a page or email is in: the first of the app's <c>ui_locales</c> we have,
/// then the browser's Accept-Language by quality, then the organization's default, then English. A regional
/// tag matches its language (nl-BE is Dutch).
/// </summary>
public static class PageLanguage
{
    public const string Fallback = "en";

    /// <summary>The languages with a complete resource file.</summary>
    public static readonly IReadOnlyList<string> Supported = ["en", "nl", "de"];

    private static readonly Dictionary<string, CultureInfo> Cultures = LoadCultures();

    /// <summary>
    /// A process without culture data (InvariantGlobalization, as a host embedding the server may set) cannot
    /// create Dutch or German: there every page is in English rather than failing.
    /// </summary>
    private static Dictionary<string, CultureInfo> LoadCultures()
    {
        var cultures = new Dictionary<string, CultureInfo>(StringComparer.OrdinalIgnoreCase) { [Fallback] = CultureInfo.InvariantCulture };
        foreach (var name in Supported)
        {
            try
            {
                cultures[name] = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                // Left out: Match finds nothing and the page falls back to English.
            }
        }

        return cultures;
    }

    public static CultureInfo Choose(string? uiLocales, HttpRequest? request, string? organizationDefault)
    {
        foreach (var tag in (uiLocales ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Match(tag) is { } fromApp)
            {
                return fromApp;
            }
        }

        if (request is not null && FromAcceptLanguage(request) is { } fromBrowser)
        {
            return fromBrowser;
        }

        return Match(organizationDefault) ?? Cultures[Fallback];
    }

    /// <summary>Whether a tag names a supported language (for validating an organization's default).</summary>
    public static bool IsSupported(string? tag) => tag is not null && Cultures.ContainsKey(tag);

    private static CultureInfo? FromAcceptLanguage(HttpRequest request)
    {
        IList<StringWithQualityHeaderValue> values;
        try
        {
            values = request.GetTypedHeaders().AcceptLanguage;
        }
        catch (FormatException)
        {
            // A malformed header is no reason to refuse the page: it just chooses nothing.
            return null;
        }

        foreach (var value in values.Where(v => (v.Quality ?? 1) > 0).OrderByDescending(v => v.Quality ?? 1))
        {
            if (Match(value.Value.Value) is { } culture)
            {
                return culture;
            }
        }

        return null;
    }

    private static CultureInfo? Match(string? tag)
    {
        if (string.IsNullOrEmpty(tag) || tag.Length > 35)
        {
            return null;
        }

        var language = tag.Split('-', '_')[0];
        return Cultures.GetValueOrDefault(language);
    }
}
