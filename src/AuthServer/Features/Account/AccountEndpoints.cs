using AuthServer.Errors;
using AuthServer.Features.Sessions;
using AuthServer.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Account;

public static class AccountSetup
{
    public static IServiceCollection AddAccountPage(this IServiceCollection services) => services.AddScoped<AccountService>();

    /// <summary>
    /// GET /account and its forms. The forms check the anti-forgery token themselves (as the login page's do), so
    /// a missing one is the catalog's entityInvalid on the error page rather than the framework's bare 400.
    /// </summary>
    public static IEndpointRouteBuilder MapAccountPage(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription().DisableAntiforgery();
        account.MapGet("", ShowAsync);
        account.MapPost("/passkeys/rename", (HttpContext context, AccountService service, CancellationToken cancellationToken) =>
            ActAsync(context, service, async (holder, form, ip) =>
                (await service.RenamePasskeyAsync(holder, form["id"], form["name"], ip, cancellationToken)).Map("renamed"), cancellationToken));
        account.MapPost("/passkeys/delete", (HttpContext context, AccountService service, CancellationToken cancellationToken) =>
            ActAsync(context, service, async (holder, form, ip) =>
                (await service.DeletePasskeyAsync(holder, form["id"], ip, cancellationToken)).Map("removed"), cancellationToken));
        account.MapPost("/sessions/end", (HttpContext context, AccountService service, SessionCookie cookie, CancellationToken cancellationToken) =>
            ActAsync(context, service, async (holder, form, ip) =>
            {
                var id = Guid.TryParse(form["id"], out var parsed) ? parsed : (Guid?)null;
                var ended = await service.EndSessionAsync(holder, id, ip, cancellationToken);
                if (!ended.Failed && id == holder.Session.Id)
                {
                    // This browser's own session: that is signing out here.
                    cookie.Clear(context);
                }

                return ended.Map("ended");
            }, cancellationToken));
        account.MapPost("/sessions/end-others", (HttpContext context, AccountService service, CancellationToken cancellationToken) =>
            ActAsync(context, service, async (holder, _, ip) =>
            {
                await service.EndOtherSessionsAsync(holder, ip, cancellationToken);
                return "endedOthers";
            }, cancellationToken));
        return app;
    }

    /// <summary>The notices a finished action may ask the page for (<c>?done=</c>), and their strings.</summary>
    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["renamed"] = "accountRenamed",
        ["removed"] = "accountRemoved",
        ["ended"] = "accountEnded",
        ["endedOthers"] = "accountEndedOthers",
    };

    private static async Task ShowAsync(HttpContext context, AccountService service, IAntiforgery antiforgery, PageContextFactory pageContexts,
        PageRenderer renderer, CancellationToken cancellationToken)
    {
        var holder = await service.SignedInAsync(context, cancellationToken);
        if (holder.Failed)
        {
            // Nobody signed in here (or the session is over): say so, and how to get in.
            var anonymous = pageContexts.For(context.Request, null, context.Request.Query["ui_locales"].FirstOrDefault());
            await renderer.WriteAsync<MessagePage>(context, anonymous, new Dictionary<string, object>
            {
                [nameof(MessagePage.Title)] = anonymous.Text["accountSignedOutTitle"],
                [nameof(MessagePage.Message)] = anonymous.Text["accountSignedOutMessage"],
            }, StatusCodes.Status401Unauthorized);
            return;
        }

        var page = pageContexts.For(context.Request, holder.Value!.Organization, context.Request.Query["ui_locales"].FirstOrDefault());
        var notice = Notices.TryGetValue(context.Request.Query["done"].ToString(), out var key) ? page.Text[key] : null;
        var parameters = new Dictionary<string, object>
        {
            [nameof(AccountPage.View)] = await service.ViewAsync(holder.Value, cancellationToken),
            [nameof(AccountPage.Antiforgery)] = antiforgery.GetAndStoreTokens(context),
        };
        if (notice is not null)
        {
            parameters[nameof(AccountPage.Notice)] = notice;
        }

        await renderer.WriteAsync<AccountPage>(context, page, parameters);
    }

    /// <summary>
    /// Every form: the token, then the person, then the action; a refusal is the error page with its catalog
    /// code and status, a success goes back to the page (303, so a reload does not post again).
    /// </summary>
    private static async Task ActAsync(HttpContext context, AccountService service,
        Func<AccountHolder, IFormCollection, string?, Task<Outcome<string>>> action, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            await StandardPages.ErrorAsync(context, AuthError.EntityInvalid("body", "A form post is expected."));
            return;
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        IFormCollection form;
        try
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await StandardPages.ErrorAsync(context, AuthError.EntityInvalid("__RequestVerificationToken", "The form expired. Open your account page again."));
                return;
            }

            form = await context.Request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            await StandardPages.ErrorAsync(context, AuthError.EntityInvalid("body", "The form could not be read."));
            return;
        }

        var holder = await service.SignedInAsync(context, cancellationToken);
        if (holder.Failed)
        {
            await StandardPages.ErrorAsync(context, holder.Error!);
            return;
        }

        var done = await action(holder.Value!, form, ClientContext.FromBrowser(context).Ip);
        if (done.Failed)
        {
            await StandardPages.ErrorAsync(context, done.Error!);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = QueryHelpers.AddQueryString("/account", "done", done.Value!);
    }

    private static Outcome<string> Map(this Outcome<bool> outcome, string done) => outcome.Failed ? outcome.Error! : done;
}
