using AuthServer.Data.Entities;

namespace AuthServer.Features.Branding;

/// <summary>
/// Where pages load an organization's logo and accent stylesheet from. Both URLs name their content (the
/// image's hash, the colours), so they are cached for a year and change whenever the branding does.
/// </summary>
public static class BrandingUrls
{
    public const string Prefix = "/branding";

    /// <summary>The uploaded logo (server-relative), else the https logo URL, else null.</summary>
    public static string? Logo(Guid organizationId, OrganizationBranding branding) =>
        branding.LogoHash is { } hash ? $"{Prefix}/{organizationId:N}/logo/{hash}" : branding.LogoUrl;

    /// <summary>The stylesheet that sets the accent colours; null without an accent colour.</summary>
    public static string? Theme(OrganizationBranding branding) =>
        branding is { AccentColor: { } accent, AccentTextColor: { } text } ? $"{Prefix}/theme/{accent[1..]}-{text[1..]}.css" : null;
}
