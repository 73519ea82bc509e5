using System.Security.Cryptography;
using AuthServer.Hosting;
using AuthServer.Hosting.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Sessions;

/// <summary>
/// The browser's pointer to its session, for single sign-on on /connect/authorize: the session id,
/// protected with Data Protection (readable on every instance), HttpOnly, SameSite=Lax so it comes along on
/// an app's top-level redirect to us, Secure on https. When the public URL is https it is always Secure (even
/// behind a proxy that terminates TLS) and named with the __Host- prefix.
/// </summary>
public sealed class SessionCookie(IDataProtectionProvider dataProtection, IOptions<ServerOptions> server)
{
    public const string BaseName = "authserver.session";

    private readonly bool https = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttps;

    /// <summary>The cookie's name: __Host-authserver.session over https, authserver.session otherwise.</summary>
    public string Name => https ? HttpHygieneSetup.HostCookiePrefix + BaseName : BaseName;

    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.SessionCookie.v1");

    public void Issue(HttpContext context, Guid sessionId) =>
        context.Response.Cookies.Append(Name, protector.Protect(sessionId.ToString("N")), Options(context));

    public Guid? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(Name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return Guid.TryParseExact(protector.Unprotect(value), "N", out var id) ? id : null;
        }
        catch (CryptographicException)
        {
            // Tampered, or protected with a key that no longer exists: no session.
            return null;
        }
    }

    public void Clear(HttpContext context) => context.Response.Cookies.Delete(Name, Options(context));

    private CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = https || context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
    };
}
