using AuthServer.Client.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.Client;

/// <summary>Options of the endpoints <c>MapAuthClient</c> maps.</summary>
public sealed class AuthClientEndpointOptions
{
    /// <summary>
    /// The answer when the callback fails. Default: like CentralAuth's example, back to the login endpoint
    /// with <c>error_message</c>, so the login page shows what went wrong and the person can try again.
    /// </summary>
    public Func<HttpContext, AuthException, IResult>? OnCallbackError { get; set; }

    /// <summary>Whether <c>logout</c> also ends the session on the auth server when the request does not say (<c>session_wide=0|1</c>). Default true.</summary>
    public bool LogoutSessionWide { get; set; } = true;
}

/// <summary>Maps the sign-in endpoints of <see cref="AuthClient"/>.</summary>
public static class AuthClientEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/> (e.g. <c>/api/auth</c>):
    /// <list type="bullet">
    /// <item><c>GET login</c>: <see cref="AuthClient.LoginAsync"/>; query <c>return_to</c>, <c>email</c>, <c>error_message</c>, <c>embed=1</c>, <c>affirm=1</c>.</item>
    /// <item><c>GET callback</c>: <see cref="AuthClient.CallbackAsync"/> (the app's <see cref="AuthClientOptions.CallbackUrl"/>); errors go to <see cref="AuthClientEndpointOptions.OnCallbackError"/>.</item>
    /// <item><c>GET user</c>: the user as JSON, <c>null</c> when not signed in, or the error (<c>errorCode</c>, <c>message</c>) with its status.</item>
    /// <item><c>GET|POST logout</c>: <see cref="AuthClient.LogoutAsync"/>; query <c>return_to</c> (default <see cref="AuthClientOptions.SignedOutPath"/>, else <c>signed-out</c>), <c>session_wide=0|1</c>.</item>
    /// <item><c>GET signed-out</c>: a plain "You are signed out" page with a link to sign in again.</item>
    /// </list>
    /// The endpoints allow anonymous access, whatever the app's fallback policy.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The path the four endpoints live under; the callback URL must be <c>{prefix}/callback</c> on the app's origin.</param>
    /// <param name="configure">Endpoint options.</param>
    /// <returns>The group, to add conventions.</returns>
    public static RouteGroupBuilder MapAuthClient(this IEndpointRouteBuilder endpoints, string prefix = "/api/auth", Action<AuthClientEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new AuthClientEndpointOptions();
        configure?.Invoke(options);
        var basePath = ("/" + prefix.Trim('/')).TrimEnd('/');
        var loginPath = new PathString(basePath + "/login");
        var signedOutPath = basePath + "/signed-out";
        if (endpoints.ServiceProvider.GetService<AuthClientEndpointInfo>() is { } info)
        {
            info.LoginPath ??= loginPath;
            info.CallbackPaths.Add(basePath + "/callback");
        }

        var group = endpoints.MapGroup(prefix).AllowAnonymous().ExcludeFromDescription();

        group.MapGet("/login", (HttpContext context, AuthClient client) =>
        {
            var query = context.Request.Query;
            return client.LoginAsync(context, new LoginOptions
            {
                ReturnTo = query["return_to"],
                Email = query["email"],
                ErrorMessage = query["error_message"],
                Embed = query["embed"] == "1",
                AffirmExistingSession = query["affirm"] == "1",
            });
        });

        group.MapGet("/callback", async (HttpContext context, AuthClient client, ILogger<AuthClient> logger) =>
        {
            try
            {
                return await client.CallbackAsync(context);
            }
            catch (AuthException exception)
            {
                logger.LogInformation("AuthClient: sign-in callback failed with {ErrorCode} (trace {TraceId})", exception.ErrorCode, exception.TraceId);
                var failed = new CallbackFailedContext(context, exception);
                await client.Events.CallbackFailed(failed);
                if (failed.Result is { } replaced)
                {
                    return replaced;
                }

                if (options.OnCallbackError is { } onError)
                {
                    return onError(context, exception);
                }

                var loginAgain = context.Request.Query["return_to"] is { Count: > 0 } back
                    ? QueryHelpers.AddQueryString((context.Request.PathBase + loginPath).ToString(), "return_to", back.ToString())
                    : (context.Request.PathBase + loginPath).ToString();
                if (IsUnavailable(exception))
                {
                    // The login page is unreachable or cannot help (the app's own setup is refused): answer here.
                    // "Try again" starts a new sign-in: this callback's state is spent.
                    return new OutageResult(exception, client.Options.OutageRetryAfter, retryUrl: loginAgain);
                }

                var parameters = new Dictionary<string, string?> { ["error_message"] = exception.Message };
                if (context.Request.Query["return_to"] is { Count: > 0 } returnTo)
                {
                    // Checked again by the login endpoint; only a path on the app's origin survives.
                    parameters["return_to"] = returnTo.ToString();
                }

                return Results.Redirect(QueryHelpers.AddQueryString((context.Request.PathBase + loginPath).ToString(), parameters));
            }
        });

        group.MapGet("/user", async (HttpContext context, AuthClient client) =>
        {
            try
            {
                // Results.Json(null) would answer an empty body; "null" is what a script can parse.
                return await client.GetUserAsync(context) is { } user ? Results.Json(user) : Results.Text("null", "application/json");
            }
            catch (AuthException exception)
            {
                if (exception.RequiresSignIn)
                {
                    client.ClearTokenCookie(context);
                }

                if (IsUnavailable(exception))
                {
                    return new OutageResult(exception, client.Options.OutageRetryAfter, html: false);
                }

                var status = exception.StatusCode ?? StatusCodes.Status500InternalServerError;
                return Results.Json(new { errorCode = exception.ErrorCode ?? exception.Error.ToWireCode(), message = exception.Message, traceId = exception.TraceId }, statusCode: status);
            }
        });

        group.MapMethods("/logout", [HttpMethods.Get, HttpMethods.Post], async (HttpContext context, AuthClient client, ILogger<AuthClient> logger) =>
        {
            string? sessionWide = context.Request.Query["session_wide"];
            var logout = new LogoutOptions
            {
                ReturnTo = context.Request.Query["return_to"] is { Count: > 0 } returnTo ? returnTo.ToString() : client.Options.SignedOutPath ?? signedOutPath,
                LogoutSessionWide = sessionWide is null ? options.LogoutSessionWide : sessionWide is "1" or "true",
            };
            try
            {
                return await client.LogoutAsync(context, logout);
            }
            catch (AuthException exception)
            {
                // The cookie is gone; the person is signed out of this app whatever the server said.
                logger.LogWarning("AuthClient: ending the session on the auth server failed with {ErrorCode} (trace {TraceId})", exception.ErrorCode, exception.TraceId);
                return await client.LogoutAsync(context, new LogoutOptions { ReturnTo = logout.ReturnTo });
            }
        });

        group.MapGet("/signed-out", (HttpContext context) => new SignedOutResult((context.Request.PathBase + loginPath).ToString()));

        return group;
    }

    /// <summary>
    /// An answer that is not about the person's session: the auth server is unreachable or failing (network,
    /// timeout, 5xx, serviceUnavailable), or it refused the app itself (a configuration error). The cookie stays.
    /// </summary>
    private static bool IsUnavailable(AuthException exception) =>
        !exception.RequiresSignIn && (exception.IsTransient || exception.IsConfigurationError || exception.StatusCode >= 500);

    private sealed class OutageResult(AuthException exception, TimeSpan retryAfter, bool html = true, string? retryUrl = null) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => OutagePage.WriteAsync(httpContext, exception, retryAfter, html, retryUrl);
    }

    private sealed class SignedOutResult(string loginPath) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => OutagePage.WriteSignedOutAsync(httpContext, loginPath);
    }
}
