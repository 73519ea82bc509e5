using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Features.Organizations;
using AuthServer.Hosting;
using AuthServer.Pages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Links;

/// <summary>
/// The emailed link, safe from mail scanners and usable on another device:
/// GET /login/link only shows a page (never consumes, never sets a cookie or a session); its POST consumes. In the
/// browser that asked for the email (<see cref="BrowserBinding"/>) the POST signs in there; elsewhere it approves,
/// and the waiting login page (GET /login/link/status, then POST /login/link/finish) signs in where the app's PKCE
/// context is. "This wasn't me" cancels the attempt.
/// </summary>
public static class EmailLinkEndpoints
{
    public static IEndpointRouteBuilder MapEmailLinks(this IEndpointRouteBuilder app)
    {
        var link = app.MapGroup("/login/link").ExcludeFromDescription();
        link.MapGet("", ShowAsync);
        // Its own anti-forgery (LinkFormToken): the GET that renders the form may set no cookie.
        link.MapPost("", DecideAsync).DisableAntiforgery();
        link.MapGet("/status", StatusAsync);
        link.MapPost("/finish", FinishAsync).DisableAntiforgery();
        return app;
    }

    private static async Task ShowAsync(HttpContext context, Guid? attempt, string? token, LoginAttemptService attempts, AuthDbContext db,
        LinkFormToken forms, PageContextFactory pageContexts, PageRenderer renderer, CancellationToken cancellationToken)
    {
        if (attempt is null)
        {
            await StandardPages.ErrorAsync(context, AuthError.LoginAttemptMissing());
            return;
        }

        var preview = await attempts.PreviewLinkAsync(attempt.Value, token, BrowserBinding.Read(context), cancellationToken);
        if (preview.Failed)
        {
            await StandardPages.ErrorAsync(context, preview.Error!);
            return;
        }

        var p = preview.Value!;
        var (page, appOrigin, email) = await PageOfAttemptAsync(context, db, pageContexts, p.Organization, attempt.Value, cancellationToken);
        await renderer.WriteAsync<LinkConfirmPage>(context, page, new Dictionary<string, object>
        {
            [nameof(LinkConfirmPage.Organization)] = page.Branding.DisplayName,
            [nameof(LinkConfirmPage.Email)] = email,
            [nameof(LinkConfirmPage.SameDevice)] = p.SameDevice,
            [nameof(LinkConfirmPage.ApprovalNumber)] = p.ApprovalNumber!,
            [nameof(LinkConfirmPage.AttemptId)] = attempt.Value,
            [nameof(LinkConfirmPage.Token)] = token!,
            [nameof(LinkConfirmPage.FormToken)] = forms.Issue(attempt.Value),
        }, formTargets: appOrigin is null ? [] : [appOrigin]);
    }

    private static async Task DecideAsync(HttpContext context, LoginAttemptService attempts, AuthDbContext db, LinkFormToken forms, SessionCookie sessionCookie,
        IOptions<ServerOptions> server, PageContextFactory pageContexts, PageRenderer renderer, OrganizationCache organizations, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            await StandardPages.ErrorAsync(context, AuthError.EntityInvalid("body", "A form post is expected."));
            return;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (EmailLoginEndpoints.ParseGuid(form["attempt"]) is not { } attemptId)
        {
            await StandardPages.ErrorAsync(context, AuthError.LoginAttemptMissing());
            return;
        }

        if (!forms.IsValid(context.Request, form[LinkFormToken.FieldName], attemptId, server.Value.PublicOrigin))
        {
            await StandardPages.ErrorAsync(context, AuthError.EntityInvalid(LinkFormToken.FieldName, "The form expired. Open the link in the email again."));
            return;
        }

        string? token = form["token"];
        var client = ClientContext.FromBrowser(context);
        if (form["decision"] == "decline")
        {
            var declined = await attempts.DecideLinkAsync(attemptId, token, approve: false, client, cancellationToken);
            await (declined.Failed
                ? StandardPages.ErrorAsync(context, declined.Error!)
                : MessageAsync(context, db, pageContexts, renderer, organizations, attemptId, t => (t["linkDeclinedTitle"], t["linkDeclined"]), cancellationToken));
            return;
        }

        // The token is checked (and a wrong one counted) by the sign-in or the approval below.
        if (await attempts.IsAskingBrowserAsync(attemptId, BrowserBinding.Read(context), cancellationToken))
        {
            // The browser that asked: sign in here, with its own PKCE context and cookies.
            var signedIn = await attempts.CheckLinkAsync(attemptId, token, client, cancellationToken);
            if (signedIn.Failed)
            {
                await StandardPages.ErrorAsync(context, signedIn.Error!);
                return;
            }

            await EmailLoginEndpoints.CompleteInBrowserAsync(context, signedIn.Value!, sessionCookie, form);
            return;
        }

        // Another device: approve; the waiting browser signs in. This one gets no session and no code.
        var approved = await attempts.DecideLinkAsync(attemptId, token, approve: true, client, cancellationToken);
        await (approved.Failed
            ? StandardPages.ErrorAsync(context, approved.Error!)
            : MessageAsync(context, db, pageContexts, renderer, organizations, attemptId, t => (t["linkApprovedTitle"], t["linkApproved"]), cancellationToken));
    }

    /// <summary>The waiting page's poll: one indexed read. Only the browser that asked may ask (its binding cookie).</summary>
    private static async Task<IResult> StatusAsync(HttpContext context, Guid? attempt, LoginAttemptService attempts, CancellationToken cancellationToken)
    {
        if (attempt is null)
        {
            return AuthError.LoginAttemptMissing().ToResult();
        }

        var status = await attempts.LinkStatusAsync(attempt.Value, BrowserBinding.Read(context), cancellationToken);
        return status.Failed ? status.Error!.ToResult() : Results.Json(new { status = status.Value });
    }

    private static async Task FinishAsync(HttpContext context, AuthDbContext db, AuthorizationRequestService requests, LoginPageResponder pages,
        LoginAttemptService attempts, SessionCookie sessionCookie, IOptions<LoginOptions> options, CancellationToken cancellationToken)
    {
        var form = await pages.ReadFormAsync(context);
        if (form.Failed)
        {
            await StandardPages.ErrorAsync(context, form.Error!);
            return;
        }

        if (EmailLoginEndpoints.ParseGuid(form.Value!["attempt"]) is not { } attemptId)
        {
            await StandardPages.ErrorAsync(context, AuthError.LoginAttemptMissing());
            return;
        }

        var finished = await attempts.FinishApprovedAsync(attemptId, BrowserBinding.Read(context), ClientContext.FromBrowser(context), cancellationToken);
        if (!finished.Failed)
        {
            await EmailLoginEndpoints.CompleteInBrowserAsync(context, finished.Value!, sessionCookie, form.Value!);
            return;
        }

        // Not approved (yet), cancelled, or used: the waiting page again, with why.
        var attempt = await db.LoginAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken);
        var loaded = attempt?.AuthorizationRequestId is { } requestId ? await requests.LoadAsync(requestId, cancellationToken) : default;
        if (attempt is null || loaded.Value.Request is null)
        {
            await StandardPages.ErrorAsync(context, finished.Error!);
            return;
        }

        var (organization, request) = loaded.Value;
        var model = pages.NewModel(context, organization, request) with
        {
            Step = typeof(EmailLinkSentStep),
            AttemptId = attempt.Id,
            Email = attempt.Email,
            ApprovalNumber = attempt.DeclinedAt is null ? attempt.ApprovalNumber : null,
            WaitSeconds = (int)options.Value.AttemptLifetime.TotalSeconds,
        };
        await pages.ShowOrReturnErrorAsync(context, finished.Error!, model, request);
    }

    /// <summary>"Sign-in approved" or "cancelled", in the attempt's page language and the organization's look.</summary>
    private static async Task MessageAsync(HttpContext context, AuthDbContext db, PageContextFactory pageContexts, PageRenderer renderer, OrganizationCache organizations,
        Guid attemptId, Func<PageText, (string Title, string Message)> strings, CancellationToken cancellationToken)
    {
        var organizationId = await db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => a.OrganizationId).SingleAsync(cancellationToken);
        var organization = await organizations.FindAsync(organizationId, cancellationToken);
        var (page, _, _) = await PageOfAttemptAsync(context, db, pageContexts, organization, attemptId, cancellationToken);
        var (title, message) = strings(page.Text);
        await renderer.WriteAsync<MessagePage>(context, page, new Dictionary<string, object>
        {
            [nameof(MessagePage.Title)] = title,
            [nameof(MessagePage.Message)] = message,
        });
    }

    /// <summary>
    /// The page context of the attempt's login page (its language and the app's translations, the organization's
    /// branding), its app origin (the same-device POST redirects there) and address.
    /// </summary>
    private static async Task<(PageContext Page, string? AppOrigin, string Email)> PageOfAttemptAsync(HttpContext context, AuthDbContext db, PageContextFactory pageContexts,
        CachedOrganization? organization, Guid attemptId, CancellationToken cancellationToken)
    {
        var row = await db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId)
            .Select(a => new { a.Email, a.AuthorizationRequest!.Translations, a.AuthorizationRequest.UiLocales, a.AuthorizationRequest.RedirectUri }).SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return (pageContexts.For(context.Request, organization), null, "");
        }

        var page = pageContexts.For(context.Request, organization, row.UiLocales, row.Translations);
        return (page, OriginRules.TryGetOrigin(row.RedirectUri, out var origin) ? origin : null, row.Email);
    }
}
