using System.Text;
using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static AuthServer.Features.Login.Page.PageHtml;

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
        LinkFormToken forms, CancellationToken cancellationToken)
    {
        if (attempt is null)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.LoginAttemptMissing(), LoginPageStrings.Default);
            return;
        }

        var preview = await attempts.PreviewLinkAsync(attempt.Value, token, BrowserBinding.Read(context), cancellationToken);
        if (preview.Failed)
        {
            await LoginPageRenderer.RenderErrorAsync(context, preview.Error!, LoginPageStrings.Default);
            return;
        }

        var (strings, appOrigin, email) = await PageContextAsync(db, attempt.Value, cancellationToken);
        var p = preview.Value!;
        var s = strings;
        var html = new StringBuilder();
        var org = E(p.OrganizationName);
        var title = p.SameDevice ? s["linkSignInTitle"] : s["linkApproveTitle"];
        html.Append("<h1>").Append(E(title).Replace("{organization}", org, StringComparison.Ordinal)).Append("</h1>");
        html.Append("<p class=\"intro\">").Append(WithEmail(p.SameDevice ? s["linkSignInIntro"] : s["linkApproveIntro"], email).Replace("{organization}", org, StringComparison.Ordinal)).Append("</p>");
        if (!p.SameDevice && p.ApprovalNumber is { } number)
        {
            html.Append("<p class=\"compare\">").Append(E(s["linkNumber"])).Append(": <strong class=\"number\" id=\"approval-number\">").Append(E(number)).Append("</strong></p>");
        }

        html.Append("<form method=\"post\" action=\"/login/link\">");
        AppendLinkFields(html, attempt.Value, token!, forms.Issue(attempt.Value));
        var button = p.SameDevice ? s["linkSignInButton"] : s["linkApproveButton"];
        html.Append("<button type=\"submit\" name=\"decision\" value=\"continue\">").Append(E(button).Replace("{organization}", org, StringComparison.Ordinal)).Append("</button>");
        html.Append("<p class=\"secondary\"><button type=\"submit\" name=\"decision\" value=\"decline\" class=\"link\">").Append(E(s["linkDecline"])).Append("</button></p>");
        html.Append("</form>");
        await LoginPageRenderer.RenderCardAsync(context, title.Replace("{organization}", p.OrganizationName, StringComparison.Ordinal), s, html.ToString(), appOrigin is null ? [] : [appOrigin]);
    }

    private static async Task DecideAsync(HttpContext context, LoginAttemptService attempts, AuthDbContext db, LinkFormToken forms, SessionCookie sessionCookie,
        IOptions<ServerOptions> server, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.EntityInvalid("body", "A form post is expected."), LoginPageStrings.Default);
            return;
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (EmailLoginEndpoints.ParseGuid(form["attempt"]) is not { } attemptId)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.LoginAttemptMissing(), LoginPageStrings.Default);
            return;
        }

        if (!forms.IsValid(context.Request, form[LinkFormToken.FieldName], attemptId, server.Value.PublicOrigin))
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.EntityInvalid(LinkFormToken.FieldName, "The form expired. Open the link in the email again."), LoginPageStrings.Default);
            return;
        }

        string? token = form["token"];
        var client = ClientContext.FromBrowser(context);
        var (s, _, _) = await PageContextAsync(db, attemptId, cancellationToken);
        if (form["decision"] == "decline")
        {
            var declined = await attempts.DecideLinkAsync(attemptId, token, approve: false, client, cancellationToken);
            await (declined.Failed
                ? LoginPageRenderer.RenderErrorAsync(context, declined.Error!, LoginPageStrings.Default)
                : LoginPageRenderer.RenderCardAsync(context, s["linkDeclinedTitle"], s, $"<h1>{E(s["linkDeclinedTitle"])}</h1><p class=\"intro\">{E(s["linkDeclined"])}</p>", []));
            return;
        }

        // The token is checked (and a wrong one counted) by the sign-in or the approval below.
        if (await attempts.IsAskingBrowserAsync(attemptId, BrowserBinding.Read(context), cancellationToken))
        {
            // The browser that asked: sign in here, with its own PKCE context and cookies.
            var signedIn = await attempts.CheckLinkAsync(attemptId, token, client, cancellationToken);
            if (signedIn.Failed)
            {
                await LoginPageRenderer.RenderErrorAsync(context, signedIn.Error!, LoginPageStrings.Default);
                return;
            }

            EmailLoginEndpoints.CompleteInBrowser(context, signedIn.Value!, sessionCookie);
            return;
        }

        // Another device: approve; the waiting browser signs in. This one gets no session and no code.
        var approved = await attempts.DecideLinkAsync(attemptId, token, approve: true, client, cancellationToken);
        await (approved.Failed
            ? LoginPageRenderer.RenderErrorAsync(context, approved.Error!, LoginPageStrings.Default)
            : LoginPageRenderer.RenderCardAsync(context, s["linkApprovedTitle"], s, $"<h1>{E(s["linkApprovedTitle"])}</h1><p class=\"intro\">{E(s["linkApproved"])}</p>", []));
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
            await LoginPageRenderer.RenderErrorAsync(context, form.Error!, LoginPageStrings.Default);
            return;
        }

        if (EmailLoginEndpoints.ParseGuid(form.Value!["attempt"]) is not { } attemptId)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.LoginAttemptMissing(), LoginPageStrings.Default);
            return;
        }

        var finished = await attempts.FinishApprovedAsync(attemptId, BrowserBinding.Read(context), ClientContext.FromBrowser(context), cancellationToken);
        if (!finished.Failed)
        {
            EmailLoginEndpoints.CompleteInBrowser(context, finished.Value!, sessionCookie);
            return;
        }

        // Not approved (yet), cancelled, or used: the waiting page again, with why.
        var attempt = await db.LoginAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken);
        var loaded = attempt?.AuthorizationRequestId is { } requestId ? await requests.LoadAsync(requestId, cancellationToken) : default;
        if (attempt is null || loaded.Value.Request is null)
        {
            await LoginPageRenderer.RenderErrorAsync(context, finished.Error!, LoginPageStrings.Default);
            return;
        }

        var (organization, request) = loaded.Value;
        var model = pages.NewModel(context, organization, request) with
        {
            Step = EmailLoginMethod.AppendLinkSentStep,
            AttemptId = attempt.Id,
            Email = attempt.Email,
            ApprovalNumber = attempt.DeclinedAt is null ? attempt.ApprovalNumber : null,
            WaitSeconds = (int)options.Value.AttemptLifetime.TotalSeconds,
        };
        await pages.ShowOrReturnErrorAsync(context, finished.Error!, model, request);
    }

    private static void AppendLinkFields(StringBuilder html, Guid attemptId, string token, string formToken)
    {
        html.Append("<input type=\"hidden\" name=\"attempt\" value=\"").Append(attemptId).Append("\">");
        html.Append("<input type=\"hidden\" name=\"token\" value=\"").Append(E(token)).Append("\">");
        html.Append("<input type=\"hidden\" name=\"").Append(LinkFormToken.FieldName).Append("\" value=\"").Append(E(formToken)).Append("\">");
    }

    /// <summary>The attempt's page strings (the app's translations), its app origin (the same-device POST redirects there) and address.</summary>
    private static async Task<(LoginPageStrings Strings, string? AppOrigin, string Email)> PageContextAsync(AuthDbContext db, Guid attemptId, CancellationToken cancellationToken)
    {
        var row = await db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId)
            .Select(a => new { a.Email, a.AuthorizationRequest!.Translations, a.AuthorizationRequest.RedirectUri }).SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return (LoginPageStrings.Default, null, "");
        }

        return (LoginPageStrings.From(row.Translations), Organizations.OriginRules.TryGetOrigin(row.RedirectUri, out var origin) ? origin : null, row.Email);
    }
}
