using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace AuthServer.Features.Login.Links;

/// <summary>
/// Anti-forgery of the emailed link's page without a cookie: GET /login/link must set none (mail scanners fetch
/// it, and a cookie there would be theirs). The form carries a Data Protection token naming the attempt and its
/// time of issue (valid 30 minutes), and the POST must come from our own origin (Sec-Fetch-Site, and Origin when
/// the browser sends a real one). The link's own 256-bit token travels in the form too, so a forged post would also need
/// the email.
/// </summary>
public sealed class LinkFormToken(IDataProtectionProvider provider, TimeProvider clock)
{
    public const string FieldName = "form";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly IDataProtector protector = provider.CreateProtector("AuthServer.EmailLinkForm.v1");

    public string Issue(Guid attemptId) =>
        protector.Protect(attemptId.ToString("N") + "|" + clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

    public bool IsValid(HttpRequest request, string? token, Guid attemptId, string publicOrigin)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        // With Referrer-Policy: no-referrer (every page here) browsers send "Origin: null" on form posts, so the
        // origin is only compared when it is a real one; Sec-Fetch-Site above is the check modern browsers give.
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && origin != "null" && !string.Equals(origin, publicOrigin, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return false;
        }

        try
        {
            var parts = protector.Unprotect(token).Split('|');
            return parts.Length == 2 && parts[0] == attemptId.ToString("N")
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var issued)
                && clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued) < Lifetime;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
