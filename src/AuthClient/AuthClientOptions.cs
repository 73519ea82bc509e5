using Microsoft.AspNetCore.Http;

namespace AuthServer.Client;

/// <summary>
/// Configuration of <see cref="AuthClient"/>, usually the <c>AuthClient</c> section of the app's
/// configuration (<c>AuthClient__ClientId</c>, <c>AuthClient__Secret</c>, ... as environment variables).
/// </summary>
public sealed class AuthClientOptions
{
    /// <summary>The configuration section <see cref="AuthClientServiceCollectionExtensions.AddAuthClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration, Action{AuthClientOptions}?)"/> binds: <c>AuthClient</c>.</summary>
    public const string SectionName = "AuthClient";

    /// <summary>Required. The organization id (OAuth client id) the auth server gave the app.</summary>
    public string? ClientId { get; set; }

    /// <summary>Required. The organization's client secret; keep it out of source control (user secrets, environment).</summary>
    public string? Secret { get; set; }

    /// <summary>Required. The auth server's base URL, e.g. <c>https://auth.example.com</c>.</summary>
    public string? AuthBaseUrl { get; set; }

    /// <summary>
    /// Required. The app's public callback URL, e.g. <c>https://app.example.com/api/auth/callback</c>. Its origin
    /// is the app's origin: it is sent as <c>domain</c> on user calls and is the only origin the callback
    /// redirects to.
    /// </summary>
    public string? CallbackUrl { get; set; }

    /// <summary>
    /// How long the user data of a token (for the same end user: IP, user agent, device) is kept in memory
    /// before the server is asked again. Default 10 seconds: a page view costs no server call in the common
    /// case, and a session ended elsewhere (another app, the admin) shows within that time. A logout through
    /// this app forgets the entry at once. Zero asks the server on every call.
    /// </summary>
    public TimeSpan UserCacheTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one call to the auth server may take before it fails with <see cref="AuthErrorCode.Timeout"/>. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of safe calls (user data) on tooManyRequests / serviceUnavailable. Default 2; 0 disables retries.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The longest wait before a retry; a longer <c>Retry-After</c> fails at once instead. Default 5 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Prefix of the cookies this library sets (<c>token</c>, <c>state</c>, <c>verifier</c>). Default <c>authclient_</c>.</summary>
    public string CookiePrefix { get; set; } = "authclient_";

    /// <summary>How long a started login may take before its state and verifier cookies expire. Default one hour.</summary>
    public TimeSpan LoginLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Forward the first <c>X-Forwarded-For</c> entry (else <c>X-Real-IP</c>) as the user's IP, as CentralAuth's
    /// client does. Default false: the connection's remote IP is used, so a client cannot choose the IP the
    /// server's hijack check compares. Set it to true only behind a proxy you run that overwrites these headers
    /// (or, better, use ASP.NET Core's <c>UseForwardedHeaders</c> with <c>KnownProxies</c>, which sets the remote IP).
    /// </summary>
    public bool UseForwardedHeaders { get; set; }

    /// <summary>
    /// Where people land after logout when the request names no <c>return_to</c>. Default: the page
    /// <c>MapAuthClient</c> maps at <c>{prefix}/signed-out</c> (a plain "You are signed out" page with a sign-in
    /// link), because an app's <c>/</c> is often protected and would send people straight back to the login page.
    /// A local path such as <c>/goodbye</c>.
    /// </summary>
    public string? SignedOutPath { get; set; }

    /// <summary>
    /// Check at start-up, in the background, that the auth server is reachable, accepts the credentials and
    /// whitelists the app's origin (<see cref="AuthClient.CheckConfigurationAsync"/>); each problem is one log line
    /// naming the setting to fix. Default true.
    /// </summary>
    public bool CheckOnStart { get; set; } = true;

    /// <summary>How long browsers and API clients are told to wait (<c>Retry-After</c>) when the auth server is unreachable. Default 5 seconds.</summary>
    public TimeSpan OutageRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Hooks: callback failed, user loaded, signing out.</summary>
    public AuthClientEvents Events { get; set; } = new();

    /// <summary>Texts of the login page to override (keys like <c>loginPageIntro</c>, <c>emailAddress</c>), used when a login does not give its own.</summary>
    public IDictionary<string, string>? Translations { get; set; }

    /// <summary>
    /// Called on every callback with the state received (after it matched the state cookie); return false to
    /// reject it with <see cref="AuthErrorCode.StateInvalid"/>. Useful when the app passed its own state to
    /// <see cref="AuthClient.LoginAsync"/>.
    /// </summary>
    public Func<HttpContext, string, Task<bool>>? OnStateReceived { get; set; }

    /// <summary>
    /// Called after a successful callback with the user and the default response (a redirect to
    /// <c>return_to</c>); return the response to send, e.g. after creating the user in the app's database.
    /// </summary>
    public Func<AfterCallbackContext, Task<IResult>>? OnAfterCallback { get; set; }
}
