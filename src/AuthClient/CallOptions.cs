using Microsoft.AspNetCore.Http;

namespace AuthServer.Client;

/// <summary>Options of one <see cref="AuthClient.LoginAsync"/>.</summary>
public sealed class LoginOptions
{
    /// <summary>Where to send the person after signing in: a path of this app (e.g. <c>/dashboard</c>) or an absolute URL on the app's origin. Anything else is ignored.</summary>
    public string? ReturnTo { get; set; }

    /// <summary>Pre-fills the email field of the login page.</summary>
    public string? Email { get; set; }

    /// <summary>A message the login page shows, e.g. why the previous sign-in failed (<see cref="AuthException"/>'s message).</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>Texts of the login page to override; defaults to <see cref="AuthClientOptions.Translations"/>.</summary>
    public IDictionary<string, string>? Translations { get; set; }

    /// <summary>The login page is shown inside an iframe of the app (the app's origin must be whitelisted).</summary>
    public bool Embed { get; set; }

    /// <summary>The person already has a session and must confirm it again; the callback then checks that the same user signed in.</summary>
    public bool AffirmExistingSession { get; set; }

    /// <summary>Your own state instead of a random one; check it in <see cref="AuthClientOptions.OnStateReceived"/>. It must be unguessable.</summary>
    public string? State { get; set; }
}

/// <summary>Options of one <see cref="AuthClient.CallbackAsync"/>; each hook replaces the one of <see cref="AuthClientOptions"/>.</summary>
public sealed class CallbackOptions
{
    /// <summary>See <see cref="AuthClientOptions.OnStateReceived"/>.</summary>
    public Func<HttpContext, string, Task<bool>>? OnStateReceived { get; set; }

    /// <summary>See <see cref="AuthClientOptions.OnAfterCallback"/>.</summary>
    public Func<AfterCallbackContext, Task<IResult>>? OnAfterCallback { get; set; }
}

/// <summary>Options of one <see cref="AuthClient.LogoutAsync"/>.</summary>
public sealed class LogoutOptions
{
    /// <summary>Where to send the person afterwards: a path of this app or a URL on its origin; default <c>/</c>.</summary>
    public string? ReturnTo { get; set; }

    /// <summary>Also end the session on the auth server, so every token of it stops working (not only this browser's cookie).</summary>
    public bool LogoutSessionWide { get; set; }
}

/// <summary>What <see cref="AuthClientOptions.OnAfterCallback"/> sees after a successful sign-in.</summary>
public sealed class AfterCallbackContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="httpContext">The callback request.</param>
    /// <param name="user">The user who signed in.</param>
    /// <param name="returnTo">The local path the default response redirects to.</param>
    /// <param name="expiresAt">When the session's token expires.</param>
    /// <param name="result">The default response.</param>
    public AfterCallbackContext(HttpContext httpContext, AuthUser user, string returnTo, DateTimeOffset? expiresAt, IResult result)
    {
        HttpContext = httpContext;
        User = user;
        ReturnTo = returnTo;
        ExpiresAt = expiresAt;
        Result = result;
    }

    /// <summary>The callback request; its response already carries the token cookie.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The user who signed in.</summary>
    public AuthUser User { get; }

    /// <summary>The local path the default response redirects to (checked to be on the app's origin).</summary>
    public string ReturnTo { get; }

    /// <summary>When the session's token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The default response: a redirect to <see cref="ReturnTo"/>.</summary>
    public IResult Result { get; }
}
