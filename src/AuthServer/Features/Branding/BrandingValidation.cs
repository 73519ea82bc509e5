using System.Text.Json;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Pages;

namespace AuthServer.Features.Branding;

/// <summary>
/// Checks a branding request field by field (one <c>details</c> entry per bad field, located by its JSON path) and
/// builds the stored <see cref="OrganizationBranding"/>.
/// </summary>
public sealed class BrandingValidation(IReadOnlySet<string> knownKeys)
{
    public const int DisplayNameMaxLength = 200;
    public const int UrlMaxLength = 2000;
    public const int StringMaxLength = 1000;
    public const string White = "#ffffff";
    public const string Black = "#000000";

    private readonly List<ErrorDetail> details = [];

    public bool IsValid => details.Count == 0;

    public AuthError Error => AuthError.EntityInvalid(details);

    /// <summary>The branding to store, or null with <see cref="Error"/> set. The uploaded logo's hash is kept by the caller.</summary>
    public OrganizationBranding? Check(BrandingRequest request)
    {
        var branding = new OrganizationBranding
        {
            DisplayName = Text(request.DisplayName, "displayName", DisplayNameMaxLength),
            LogoUrl = HttpsUrl(request.LogoUrl, "logoUrl"),
            SupportUrl = HttpsUrl(request.SupportUrl, "supportUrl"),
            SupportEmail = SupportEmail(request.SupportEmail),
            DefaultLanguage = Language(request.DefaultLanguage),
            StringOverrides = Strings(request.Strings),
        };
        (branding.AccentColor, branding.AccentTextColor) = Accent(request.AccentColor, request.AccentTextColor);
        return IsValid ? branding : null;
    }

    private string? Text(string? value, string location, int maxLength)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length == 0 || trimmed.Length > maxLength || trimmed.Any(char.IsControl))
        {
            details.Add(new ErrorDetail(location, $"Must be 1 to {maxLength} characters, without control characters."));
            return null;
        }

        return trimmed;
    }

    /// <summary>Only https (and no credentials): the page's CSP allows the logo's origin, and a help link must not downgrade.</summary>
    private string? HttpsUrl(string? value, string location)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > UrlMaxLength || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            details.Add(new ErrorDetail(location, $"Must be an absolute https URL of at most {UrlMaxLength} characters, without user info or fragment."));
            return null;
        }

        return uri.AbsoluteUri;
    }

    private string? SupportEmail(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!EmailAddress.IsValid(value))
        {
            details.Add(new ErrorDetail("supportEmail", "Must be an email address."));
            return null;
        }

        return value.Trim();
    }

    private string? Language(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!PageLanguage.IsSupported(value) || value.Contains('-'))
        {
            details.Add(new ErrorDetail("defaultLanguage", $"Must be one of {string.Join(", ", PageLanguage.Supported)}."));
            return null;
        }

        return value.ToLowerInvariant();
    }

    /// <summary>
    /// The accent colour must keep its text readable: WCAG 2.2 AA asks 4.5:1 for normal-size text, which the
    /// button label is. The text colour is white unless black is asked for.
    /// </summary>
    private (string? Accent, string? Text) Accent(string? accent, string? text)
    {
        if (accent is null)
        {
            if (text is not null)
            {
                details.Add(new ErrorDetail("accentTextColor", "Set together with accentColor."));
            }

            return (null, null);
        }

        var normalizedText = (text ?? White).ToLowerInvariant();
        if (normalizedText is not (White or Black))
        {
            details.Add(new ErrorDetail("accentTextColor", $"Must be {White} or {Black}."));
            return (null, null);
        }

        if (!ColorContrast.IsColor(accent))
        {
            details.Add(new ErrorDetail("accentColor", "Must be a colour as #rrggbb."));
            return (null, null);
        }

        var normalizedAccent = accent.ToLowerInvariant();
        var ratio = ColorContrast.Ratio(normalizedAccent, normalizedText);
        if (ratio < ColorContrast.MinimumTextRatio)
        {
            details.Add(new ErrorDetail("accentColor",
                $"The contrast of {normalizedText} text on {normalizedAccent} is {ratio:0.00}:1; WCAG 2.2 AA needs at least {ColorContrast.MinimumTextRatio}:1. Choose a darker or lighter colour, or the other accentTextColor."));
            return (null, null);
        }

        return (normalizedAccent, normalizedText);
    }

    private string? Strings(Dictionary<string, Dictionary<string, string>>? strings)
    {
        if (strings is null || strings.Count == 0)
        {
            return null;
        }

        foreach (var (language, values) in strings)
        {
            if (!PageLanguage.Supported.Contains(language))
            {
                details.Add(new ErrorDetail($"strings.{Shorten(language)}", $"Must be one of {string.Join(", ", PageLanguage.Supported)}."));
                continue;
            }

            foreach (var (key, value) in values ?? [])
            {
                if (!knownKeys.Contains(key))
                {
                    details.Add(new ErrorDetail($"strings.{language}.{Shorten(key)}", "Not a string of the pages or emails (GET /api/v1/admin/branding/keys lists them)."));
                }
                else if (value is null || value.Length == 0 || value.Length > StringMaxLength || value.Any(c => char.IsControl(c) && c != '\n'))
                {
                    details.Add(new ErrorDetail($"strings.{language}.{key}", $"Must be 1 to {StringMaxLength} characters, without control characters."));
                }
            }
        }

        return IsValid ? JsonSerializer.Serialize(strings) : null;
    }

    private static string Shorten(string value) => value.Length > 64 ? value[..64] : value;
}
