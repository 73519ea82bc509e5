using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;

namespace AuthServer.Features.AdminConsole;

/// <summary>The signed-in administrator of the current console request.</summary>
public sealed record ConsoleAdministrator(AdminCaller Caller, Guid SessionId, string Email)
{
    public static ConsoleAdministrator From(HttpContext context) =>
        context.Items[typeof(ConsoleAdministrator)] as ConsoleAdministrator
        // Unreachable: ConsoleSessionMiddleware stops every console request without one.
        ?? throw new AuthErrorException(AuthError.NoPermission());
}

/// <summary>
/// In front of every console page: the console's cookie holds the CentralAuth access token it received for its
/// administrator, as any app keeps it. The token is read by the CentralAuth face's own parser, its session
/// checked by <see cref="SessionValidator"/> (the system organization's limits: short inactivity, user agent
/// binding), and the user must hold an administrator role. Without a usable session the browser is sent to
/// sign in; a signed-in person who is no administrator gets 403.
/// </summary>
public sealed class ConsoleSessionMiddleware(RequestDelegate next)
{
    /// <summary>The console's pages that need no session: the sign-in flow itself.</summary>
    private static readonly string[] Open = [ConsoleRoutes.SignIn, ConsoleRoutes.Callback, ConsoleRoutes.SignedOut];

    public async Task InvokeAsync(HttpContext context, ConsoleCookies cookies, OrganizationCache organizations, SessionValidator validator,
        AdministratorService administrators, TimeProvider clock)
    {
        ConsoleHeaders.Apply(context);
        if (Open.Any(path => context.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var token = cookies.ReadSession(context);
        var organization = await organizations.FindAsync(SystemOrganization.Id, cancellationToken);
        Outcome<Data.Entities.Session>? valid = null;
        if (token is not null && organization is not null && CentralAuthSessionToken.Parse(token, organization) is { Failed: false } parsed
            && clock.GetUtcNow().ToUnixTimeSeconds() < parsed.Value.Expires)
        {
            valid = await validator.ValidateAsync(parsed.Value.SessionId, organization, ClientContext.FromBrowser(context), cancellationToken);
        }

        if (valid is not { Failed: false })
        {
            if (token is not null)
            {
                cookies.ClearSession(context);
            }

            var returnTo = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect(ConsoleRoutes.SignIn + "?returnTo=" + Uri.EscapeDataString(HttpMethods.IsGet(context.Request.Method) ? returnTo : ConsoleRoutes.Home));
            return;
        }

        var user = valid.Value.Value!.User!;
        var caller = await administrators.FindCallerAsync(user.Id, ClientContext.NormalizeIp(context.Connection.RemoteIpAddress?.ToString()), cancellationToken);
        if (caller is null)
        {
            await ConsoleResults.Message(ConsoleMessageKind.NotAdministrator, StatusCodes.Status403Forbidden, user.Email).ExecuteAsync(context);
            return;
        }

        context.Items[typeof(ConsoleAdministrator)] = new ConsoleAdministrator(caller, valid.Value.Value!.Id, user.Email);
        await next(context);
    }
}

/// <summary>The console's security headers: a strict CSP (the framework's script and our own files only, nothing inline), never framed.</summary>
public static class ConsoleHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

    public static void Apply(HttpContext context) => context.Response.OnStarting(static state =>
    {
        var headers = ((HttpContext)state).Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Also set by the HTTP hygiene for /admin; repeated here so the console never depends on that list.
        headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }, context);
}
