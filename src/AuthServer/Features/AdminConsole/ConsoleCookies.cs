using System.Security.Cryptography;
using System.Text.Json;
using AuthServer.Hosting;
using AuthServer.Hosting.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.AdminConsole;

/// <summary>What the console keeps between /admin/signin and /admin/callback: the state, the PKCE verifier and where to go back to.</summary>
public sealed record ConsoleSignInState(string State, string Verifier, string ReturnTo);

/// <summary>
/// The console's two cookies, both protected with Data Protection (readable on every instance), HttpOnly,
/// SameSite=Lax (the callback arrives as a redirect from the login page, or from an emailed link opened in a
/// mail client), Secure and <c>__Host-</c>-prefixed when the public URL is https:
/// <list type="bullet">
/// <item>the session: the CentralAuth access token the console received for its administrator, as an app keeps
/// it; every request has it checked by <see cref="ConsoleSessionMiddleware"/>;</item>
/// <item>the sign-in in progress: state and PKCE verifier, for ten minutes.</item>
/// </list>
/// </summary>
public sealed class ConsoleCookies(IDataProtectionProvider dataProtection, IOptions<ServerOptions> server)
{
    public const string SessionBaseName = "authserver.console";
    public const string SignInBaseName = "authserver.console-signin";

    private static readonly TimeSpan SignInLifetime = TimeSpan.FromMinutes(10);

    private readonly bool https = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttps;
    private readonly IDataProtector sessionProtector = dataProtection.CreateProtector("AuthServer.Console.Session.v1");
    private readonly ITimeLimitedDataProtector signInProtector = dataProtection.CreateProtector("AuthServer.Console.SignIn.v1").ToTimeLimitedDataProtector();

    public string SessionName => Name(SessionBaseName);

    public string SignInName => Name(SignInBaseName);

    public void IssueSession(HttpContext context, string accessToken) =>
        context.Response.Cookies.Append(SessionName, sessionProtector.Protect(accessToken), Options(context));

    public string? ReadSession(HttpContext context) => Read(context, SessionName, sessionProtector.Unprotect);

    public void ClearSession(HttpContext context) => context.Response.Cookies.Delete(SessionName, Options(context));

    public void IssueSignIn(HttpContext context, ConsoleSignInState state) =>
        context.Response.Cookies.Append(SignInName, signInProtector.Protect(JsonSerializer.Serialize(state), SignInLifetime), Options(context));

    public ConsoleSignInState? ReadSignIn(HttpContext context)
    {
        var json = Read(context, SignInName, signInProtector.Unprotect);
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<ConsoleSignInState>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void ClearSignIn(HttpContext context) => context.Response.Cookies.Delete(SignInName, Options(context));

    private string Name(string baseName) => https ? HttpHygieneSetup.HostCookiePrefix + baseName : baseName;

    private static string? Read(HttpContext context, string name, Func<string, string> unprotect)
    {
        if (!context.Request.Cookies.TryGetValue(name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return unprotect(value);
        }
        catch (CryptographicException)
        {
            // Tampered, expired, or protected with a key that no longer exists.
            return null;
        }
    }

    private CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = https || context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
    };
}
