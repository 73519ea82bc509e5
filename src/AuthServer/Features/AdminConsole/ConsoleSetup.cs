using AuthServer.Features.AdminConsole.Components;
using Microsoft.AspNetCore.Antiforgery;

namespace AuthServer.Features.AdminConsole;

/// <summary>
/// The admin console at /admin: Razor components rendered on the server (static SSR; the framework's
/// blazor.web.js adds enhanced navigation and form posts), signed in through the system organization, acting
/// through the admin API's services (<see cref="Admin.OrganizationAdmin"/>, <see cref="Admin.UserAdmin"/>, ...).
/// </summary>
public static class ConsoleSetup
{
    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SystemOrganization>();
        services.AddSingleton<ConsoleCookies>();
        services.AddScoped<AdministratorService>();
        services.AddScoped<SignInStatistics>();
        services.AddRazorComponents();
        return services;
    }

    /// <summary>Console requests (not /api/v1/admin, the JSON API): the session check, then anti-forgery for the forms.</summary>
    public static bool IsConsolePath(PathString path) => path.StartsWithSegments(ConsoleRoutes.Home, StringComparison.OrdinalIgnoreCase);

    public static IApplicationBuilder UseConsole(this IApplicationBuilder app) =>
        app.UseWhen(context => IsConsolePath(context.Request.Path), console => console
            .UseMiddleware<ConsoleSessionMiddleware>()
            .UseAntiforgery());

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapConsoleSignIn();
        app.MapPost(ConsoleRoutes.SignOut, SignOutAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapRazorComponents<ConsoleApp>();
        // The framework's blazor.web.js is a static web asset of the shared framework (not a file in wwwroot):
        // served from the build's asset manifest. UseStaticFiles, earlier in the pipeline, still serves wwwroot.
        app.MapStaticAssets();
        return app;
    }

    /// <summary>Ends the console session (as a logout on the CentralAuth face does) after checking the form's anti-forgery token.</summary>
    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery, ConsoleCookies cookies,
        Sessions.SessionService sessions, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return ConsoleResults.Message(ConsoleMessageKind.FormRefused, StatusCodes.Status400BadRequest, Errors.ErrorCatalog.EntityInvalid.Code);
        }

        await sessions.EndAsync(ConsoleAdministrator.From(context).SessionId, "logout", cancellationToken);
        cookies.ClearSession(context);
        return Results.Redirect(ConsoleRoutes.SignedOut);
    }
}
