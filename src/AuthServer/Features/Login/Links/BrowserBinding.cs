using AuthServer.Features.Login.Page;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Links;

/// <summary>
/// Tells whether an emailed link is opened in the browser that asked for it. Submitting the email sets a random
/// value in an HttpOnly cookie and stores its HMAC on the attempt; the link's page and the waiting page's poll
/// compare. SameSite=Lax, because opening a link from a mail client is a cross-site navigation and a Strict cookie
/// would not come with it (SameSite=None; Secure on an embedded page over https, like the anti-forgery cookie).
/// It lives as long as an emailed link does.
/// </summary>
public sealed class BrowserBinding(LoginSecrets secrets, IOptions<LoginOptions> options)
{
    public const string CookieName = "authserver.browser";
    public const string HashContext = "browser-binding";

    /// <summary>This browser's value: the one it carries, or a new one set on the response.</summary>
    public string Ensure(HttpContext context)
    {
        var value = Read(context);
        if (value is null || value.Length != 43)
        {
            value = LoginSecrets.NewToken();
        }

        var cookie = new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/login",
            MaxAge = options.Value.AttemptLifetime + TimeSpan.FromMinutes(5),
        };
        if (context.Request.IsHttps && context.Items.ContainsKey(EmbeddableCookieBuilder.EmbedItem))
        {
            cookie.SameSite = SameSiteMode.None;
        }

        context.Response.Cookies.Append(CookieName, value, cookie);
        return value;
    }

    public static string? Read(HttpContext context) => context.Request.Cookies[CookieName];

    public byte[] Hash(string value) => secrets.Hash(value, HashContext);
}
