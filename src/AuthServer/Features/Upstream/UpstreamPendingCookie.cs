using System.Security.Cryptography;
using AuthServer.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Upstream;

/// <summary>
/// Which login page (request) and connection this browser left for an upstream provider, protected with Data
/// Protection (readable on every instance). OpenIddict's state token carries the same, but a refused or failed
/// answer (access_denied, an unreachable token endpoint) does not give it back: this finds the page to show the
/// error on, so the person can choose another method. It grants nothing by itself: the request id is only
/// ever used to show that page again.
/// </summary>
public sealed class UpstreamPendingCookie(IDataProtectionProvider dataProtection, IOptions<ServerOptions> server, TimeProvider clock)
{
    public const string Name = "authserver.upstream";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ITimeLimitedDataProtector protector = dataProtection.CreateProtector("AuthServer.UpstreamPending.v1").ToTimeLimitedDataProtector();
    private readonly bool https = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttps;

    public void Issue(HttpContext context, Guid connectionId, Guid requestId) =>
        context.Response.Cookies.Append(Name, protector.Protect($"{connectionId:N}.{requestId:N}", clock.GetUtcNow() + Lifetime), Options(context));

    /// <summary>The request this browser started at this connection, if any.</summary>
    public Guid? Read(HttpContext context, Guid connectionId)
    {
        if (!context.Request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var parts = protector.Unprotect(value).Split('.');
            return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var connection) && connection == connectionId
                && Guid.TryParseExact(parts[1], "N", out var request) ? request : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public void Clear(HttpContext context) => context.Response.Cookies.Delete(Name, Options(context));

    // Lax: the provider's redirect back is a top-level GET. (Apple answers with a cross-site form post, which
    // carries no Lax cookie; its state token still does, so only its error page is the generic one.)
    private CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = https || context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = UpstreamSetup.PathPrefix,
        IsEssential = true,
    };
}
