namespace AuthServer.Features.Branding;

/// <summary>
/// An organization's branding, replaced as a whole by PUT (absent fields become unset). Colours are #rrggbb;
/// <c>strings</c> maps a language (en, nl, de) to overrides of page and email strings by key.
/// </summary>
public sealed record BrandingRequest
{
    /// <summary>The name shown on pages and in emails; the organization's name when absent.</summary>
    public string? DisplayName { get; init; }

    /// <summary>An https URL of a logo hosted elsewhere; an uploaded logo (PUT .../branding/logo) takes precedence.</summary>
    public string? LogoUrl { get; init; }

    /// <summary>Buttons and links: #rrggbb with a contrast of at least 4.5:1 against <see cref="AccentTextColor"/>.</summary>
    public string? AccentColor { get; init; }

    /// <summary>The text on the accent colour: #ffffff (default) or #000000.</summary>
    public string? AccentTextColor { get; init; }

    public string? SupportEmail { get; init; }

    /// <summary>An https URL of a help page; shown instead of the support email when both are set.</summary>
    public string? SupportUrl { get; init; }

    /// <summary>en, nl or de: the language when neither the app (ui_locales) nor the browser asks for one we have.</summary>
    public string? DefaultLanguage { get; init; }

    /// <summary>Per language, strings replacing the built-in ones: {"nl": {"loginPageIntro": "..."}}. Keys as in GET .../branding/keys.</summary>
    public Dictionary<string, Dictionary<string, string>>? Strings { get; init; }
}

/// <summary>An organization's branding as stored; <c>logoUrl</c> is where pages load the logo from.</summary>
public sealed record BrandingView(
    Guid OrganizationId,
    string? DisplayName,
    string? LogoUrl,
    bool LogoUploaded,
    string? AccentColor,
    string? AccentTextColor,
    string? SupportEmail,
    string? SupportUrl,
    string? DefaultLanguage,
    IReadOnlyDictionary<string, Dictionary<string, string>> Strings);
