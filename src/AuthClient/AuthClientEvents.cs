using Microsoft.AspNetCore.Http;

namespace AuthServer.Client;

/// <summary>
/// Hooks into what the library does, like the events of ASP.NET Core's cookie and JWT handlers: set the
/// <c>On…</c> delegates (or derive and override) on <see cref="AuthClientOptions.Events"/>.
/// </summary>
public class AuthClientEvents
{
    /// <summary>The callback of <c>MapAuthClient</c> failed; set <see cref="CallbackFailedContext.Result"/> to answer instead of the default.</summary>
    public Func<CallbackFailedContext, Task> OnCallbackFailed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>The user of a request was loaded (from the server or the cache), once per request.</summary>
    public Func<UserLoadedContext, Task> OnUserLoaded { get; set; } = static _ => Task.CompletedTask;

    /// <summary>The person is being signed out: by logout, or because the server ended the session (the token cookie is about to be deleted).</summary>
    public Func<SigningOutContext, Task> OnSigningOut { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Raises <see cref="OnCallbackFailed"/>.</summary>
    /// <param name="context">The failure.</param>
    public virtual Task CallbackFailed(CallbackFailedContext context) => OnCallbackFailed(context);

    /// <summary>Raises <see cref="OnUserLoaded"/>.</summary>
    /// <param name="context">The user.</param>
    public virtual Task UserLoaded(UserLoadedContext context) => OnUserLoaded(context);

    /// <summary>Raises <see cref="OnSigningOut"/>.</summary>
    /// <param name="context">Why.</param>
    public virtual Task SigningOut(SigningOutContext context) => OnSigningOut(context);
}

/// <summary>A failed sign-in callback.</summary>
/// <param name="httpContext">The callback request.</param>
/// <param name="exception">What went wrong.</param>
public sealed class CallbackFailedContext(HttpContext httpContext, AuthException exception)
{
    /// <summary>The callback request.</summary>
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>What went wrong.</summary>
    public AuthException Exception { get; } = exception;

    /// <summary>The answer to send instead of the default (back to the login page, or the error page for an outage).</summary>
    public IResult? Result { get; set; }
}

/// <summary>The user of a request.</summary>
/// <param name="httpContext">The request.</param>
/// <param name="user">The user.</param>
public sealed class UserLoadedContext(HttpContext httpContext, AuthUser user)
{
    /// <summary>The request.</summary>
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>The user.</summary>
    public AuthUser User { get; } = user;
}

/// <summary>A sign-out.</summary>
/// <param name="httpContext">The request.</param>
/// <param name="reason">Why: <c>logout</c>, or the server's code that ended the session (e.g. <c>sessionInactive</c>).</param>
/// <param name="sessionWide">Whether the session is also ended on the auth server.</param>
public sealed class SigningOutContext(HttpContext httpContext, string reason, bool sessionWide)
{
    /// <summary>The request.</summary>
    public HttpContext HttpContext { get; } = httpContext;

    /// <summary>Why: <c>logout</c>, or the server's code that ended the session (e.g. <c>sessionInactive</c>).</summary>
    public string Reason { get; } = reason;

    /// <summary>Whether the session is also ended on the auth server.</summary>
    public bool SessionWide { get; } = sessionWide;
}
