using AuthServer.Pages;
using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login;

/// <summary>
/// The hosted login page of the CentralAuth face: GET /login validates the request and shows the first step of
/// every login method the request may use; /login/resume shows it again (start over, and the standard face's
/// way in). The methods map their own endpoints (<see cref="ILoginMethod.MapEndpoints"/>).
/// </summary>
public static class LoginPageEndpoints
{
    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder app)
    {
        var login = app.MapGroup("/login").ExcludeFromDescription();
        login.MapGet("", ShowLoginAsync);
        login.MapGet("/resume", ResumeAsync);
        app.MapLoginMethods();
        return app;
    }

    private static async Task ShowLoginAsync(HttpContext context, AuthorizationRequestService requests, LoginPageResponder pages,
        IOptions<ServerOptions> server, CancellationToken cancellationToken)
    {
        var parameters = RequestParameters.Read(context.Request.Query, context.Request.QueryString.Value);
        switch (await requests.ValidateCentralAuthAsync(parameters, cancellationToken))
        {
            case RequestDecision.ShowError show:
                await StandardPages.ErrorAsync(context, show.Error);
                return;
            case RequestDecision.RedirectError redirect:
                context.Response.Redirect(AppRedirect.WithError(redirect.RedirectUri, redirect.Violation.Error.Code, redirect.Violation.Description,
                    redirect.State, server.Value.PublicBaseUri.ToString()));
                return;
            case RequestDecision.Accepted accepted:
                var added = await requests.AddForBrowserAsync(accepted.Request, ClientContext.FromBrowser(context).Ip, cancellationToken);
                if (added.Failed)
                {
                    await StandardPages.ErrorAsync(context, added.Error!);
                    return;
                }

                var model = pages.NewModel(context, accepted.Organization, accepted.Request) with { Notice = parameters["error_description"] };
                await pages.RenderAsync(context, model, accepted.Request);
                return;
        }
    }

    private static async Task ResumeAsync(HttpContext context, Guid? request, AuthorizationRequestService requests, LoginPageResponder pages, CancellationToken cancellationToken)
    {
        var loaded = await requests.LoadAsync(request, cancellationToken);
        if (loaded.Failed)
        {
            await StandardPages.ErrorAsync(context, loaded.Error!);
            return;
        }

        var (organization, authorization) = loaded.Value;
        await pages.RenderAsync(context, pages.NewModel(context, organization, authorization), authorization);
    }
}
