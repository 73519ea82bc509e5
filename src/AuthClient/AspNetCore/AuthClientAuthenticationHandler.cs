using System.Security.Claims;
using System.Text.Encodings.Web;
using AuthServer.Client.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthServer.Client;

/// <summary>Options of <see cref="AuthClientAuthenticationHandler"/>.</summary>
public sealed class AuthClientAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// Send a browser that opens a protected page without being signed in to the login endpoint (with
    /// <c>return_to</c> set to that page) instead of answering 401. Default true; needs
    /// <see cref="LoginPath"/> or <c>MapAuthClient</c>. API calls (no <c>text/html</c> in Accept) always get 401.
    /// </summary>
    public bool RedirectBrowsersToLogin { get; set; } = true;

    /// <summary>The app's login endpoint; defaults to the one <c>MapAuthClient</c> mapped (e.g. <c>/api/auth/login</c>).</summary>
    public PathString? LoginPath { get; set; }
}

/// <summary>
/// Authenticates requests that carry the session's token (cookie or <c>Authorization: Bearer</c>) by asking
/// the auth server for the user (through <see cref="AuthClient.GetUserAsync(HttpContext, CancellationToken)"/>,
/// so its cache applies). The user becomes claims (<see cref="AuthClaimTypes"/>), so <c>[Authorize]</c> and
/// <c>RequireAuthorization()</c> work; the <see cref="AuthUser"/> itself is available through
/// <see cref="AuthClientHttpContextExtensions.GetAuthUser"/>. A token the server refuses fails authentication
/// (401) and its cookie is deleted; when the server cannot answer (network, 5xx, serviceUnavailable) or
/// refuses the app's own credentials, the cookie is kept and a challenge answers 503 with Retry-After (a
/// local page for browsers) instead of sending people to a login page that cannot work.
/// </summary>
public sealed class AuthClientAuthenticationHandler(
    IOptionsMonitor<AuthClientAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AuthClient client,
    AuthClientEndpointInfo endpoints)
    : AuthenticationHandler<AuthClientAuthenticationOptions>(options, logger, encoder)
{
    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        AuthUser? user;
        try
        {
            user = await client.GetUserAsync(Context, Context.RequestAborted);
        }
        catch (AuthException exception)
        {
            Logger.LogDebug("AuthClient: authentication failed with {ErrorCode} (trace {TraceId})", exception.ErrorCode, exception.TraceId);
            // Only a definitive answer about the session signs the person out; an outage or the app's own
            // misconfiguration keeps the cookie, so everyone is still signed in once it is over.
            if (exception.RequiresSignIn && Request.Cookies.ContainsKey(client.TokenCookieName))
            {
                await client.Events.SigningOut(new SigningOutContext(Context, exception.ErrorCode ?? exception.Error.ToWireCode(), false));
                client.ClearTokenCookie(Context);
            }

            return AuthenticateResult.Fail(exception);
        }

        if (user is null)
        {
            return AuthenticateResult.NoResult();
        }

        Context.Items[typeof(AuthUser)] = user;
        return AuthenticateResult.Success(new AuthenticationTicket(CreatePrincipal(user, Scheme.Name), Scheme.Name));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is AuthException { RequiresSignIn: false } unavailable)
        {
            // Not "signed out": the server could not say (outage) or refused the app itself. 503 with
            // Retry-After for APIs, a local page for browsers; the cookie stays.
            await OutagePage.WriteAsync(Context, unavailable, client.Options.OutageRetryAfter, IsBrowserNavigation(Request));
            return;
        }

        var loginPath = Options.LoginPath ?? endpoints.LoginPath;
        if (Options.RedirectBrowsersToLogin && loginPath is { HasValue: true } path && IsBrowserNavigation(Request))
        {
            var returnTo = properties.RedirectUri ?? (Request.PathBase + Request.Path + Request.QueryString).ToString();
            Response.Redirect(QueryHelpers.AddQueryString((Request.PathBase + path).ToString(), "return_to", returnTo));
            return;
        }

        var error = result.Failure as AuthException;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsJsonAsync(new
        {
            errorCode = error?.ErrorCode ?? AuthErrorCode.TokenMissing.ToWireCode(),
            message = error?.Message ?? "Sign in to continue.",
        }, Context.RequestAborted);
    }

    /// <summary>The principal of a user: <see cref="AuthClaimTypes"/> plus the standard name identifier and email claims.</summary>
    /// <param name="user">The user.</param>
    /// <param name="authenticationType">The identity's authentication type (the scheme name).</param>
    public static ClaimsPrincipal CreatePrincipal(AuthUser user, string authenticationType = AuthClientDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new List<Claim>
        {
            new(AuthClaimTypes.Subject, user.Id),
            new(ClaimTypes.NameIdentifier, user.Id),
            new(AuthClaimTypes.Email, user.Email),
            new(ClaimTypes.Email, user.Email),
            new(AuthClaimTypes.EmailVerified, user.Verified ? "true" : "false", ClaimValueTypes.Boolean),
        };
        if (!string.IsNullOrEmpty(user.OrganizationId))
        {
            claims.Add(new Claim(AuthClaimTypes.OrganizationId, user.OrganizationId));
        }

        if (!string.IsNullOrEmpty(user.Gravatar))
        {
            claims.Add(new Claim(AuthClaimTypes.Picture, user.Gravatar));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, AuthClaimTypes.Email, ClaimTypes.Role));
    }

    private static bool IsBrowserNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(request.Headers["X-Requested-With"], "XMLHttpRequest", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Where <c>MapAuthClient</c> mapped the endpoints, for the authentication handler's login redirect.</summary>
public sealed class AuthClientEndpointInfo
{
    /// <summary>The login endpoint (e.g. <c>/api/auth/login</c>); null until <c>MapAuthClient</c> ran.</summary>
    public PathString? LoginPath { get; set; }

    /// <summary>Every callback endpoint <c>MapAuthClient</c> mapped, checked at start-up against <see cref="AuthClientOptions.CallbackUrl"/>.</summary>
    public IList<string> CallbackPaths { get; } = [];
}

/// <summary>Access to the signed-in <see cref="AuthUser"/> of a request.</summary>
public static class AuthClientHttpContextExtensions
{
    /// <summary>The user the <see cref="AuthClientAuthenticationHandler"/> authenticated for this request; null when none.</summary>
    /// <param name="context">The request.</param>
    public static AuthUser? GetAuthUser(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(typeof(AuthUser), out var user) ? user as AuthUser : null;
    }
}
