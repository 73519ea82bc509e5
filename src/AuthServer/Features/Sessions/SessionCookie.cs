using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace AuthServer.Features.Sessions;

/// <summary>
/// The browser's pointer to its session, for single sign-on on /connect/authorize: the session id,
/// protected with Data Protection (readable on every instance), HttpOnly, SameSite=Lax so it comes along on
/// an app's top-level redirect to us, Secure on https.
/// </summary>
public sealed class SessionCookie(IDataProtectionProvider dataProtection)
{
    public const string Name = "authserver.session";

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

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
    };
}
