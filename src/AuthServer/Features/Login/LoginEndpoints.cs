using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login;

/// <summary>
/// The hosted login page: GET /login validates the request and shows the email step; the forms post the
/// email and then the code; /login/link completes an emailed link. Thin: the work is in the services.
/// </summary>
public static class LoginEndpoints
{
    /// <summary>Errors about the person or the app's setup go back to the app; the rest are shown on the page.</summary>
    private static readonly HashSet<string> ReturnedToApp = [ErrorCatalog.NoPermission.Code, ErrorCatalog.EntityMissing.Code, ErrorCatalog.ConnectionMissing.Code];

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder app)
    {
        var login = app.MapGroup("/login").ExcludeFromDescription();
        login.MapGet("", ShowLoginAsync);
        login.MapGet("/resume", ResumeAsync);
        login.MapPost("/email", SubmitEmailAsync).DisableAntiforgery();
        login.MapPost("/code", SubmitCodeAsync).DisableAntiforgery();
        login.MapGet("/link", OpenLinkAsync);
        return app;
    }

    private static async Task ShowLoginAsync(HttpContext context, AuthDbContext db, OrganizationCache organizations, IAntiforgery antiforgery,
        IOptions<LoginOptions> options, IOptions<ServerOptions> server, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = LoginQuery.From(context.Request.Query);
        var decision = await CentralAuthLoginRequest.ValidateAsync(query, organizations, clock, options.Value.AuthorizationRequestLifetime, cancellationToken);
        switch (decision)
        {
            case LoginRequestDecision.ShowError show:
                await LoginPageRenderer.RenderErrorAsync(context, show.Error, LoginPageStrings.Default);
                return;
            case LoginRequestDecision.RedirectError redirect:
                context.Response.Redirect(AppRedirect.WithError(redirect.RedirectUri, redirect.Error, redirect.State, server.Value.PublicBaseUri.ToString()));
                return;
            case LoginRequestDecision.Accepted accepted:
                db.AuthorizationRequests.Add(accepted.Request);
                await db.SaveChangesAsync(cancellationToken);
                var model = NewModel(context, antiforgery, accepted.Organization, accepted.Request, LoginStep.Email) with
                {
                    Email = query.Email,
                    Notice = string.IsNullOrWhiteSpace(query.ErrorDescription) ? null : query.ErrorDescription,
                };
                await RenderAsync(context, model, accepted.Request);
                return;
        }
    }

    private static async Task ResumeAsync(HttpContext context, Guid? request, AuthDbContext db, OrganizationCache organizations, IAntiforgery antiforgery,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var loaded = await LoadRequestAsync(db, organizations, request, clock, cancellationToken);
        if (loaded.Failed)
        {
            await LoginPageRenderer.RenderErrorAsync(context, loaded.Error!, LoginPageStrings.Default);
            return;
        }

        var (organization, authorization) = loaded.Value;
        await RenderAsync(context, NewModel(context, antiforgery, organization, authorization, LoginStep.Email), authorization);
    }

    private static async Task SubmitEmailAsync(HttpContext context, AuthDbContext db, OrganizationCache organizations, IAntiforgery antiforgery,
        LoginAttemptService attempts, IOptions<ServerOptions> server, TimeProvider clock, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(context, antiforgery);
        if (form.Failed)
        {
            await LoginPageRenderer.RenderErrorAsync(context, form.Error!, LoginPageStrings.Default);
            return;
        }

        var loaded = await LoadRequestAsync(db, organizations, ParseGuid(form.Value!["request"]), clock, cancellationToken);
        if (loaded.Failed)
        {
            await LoginPageRenderer.RenderErrorAsync(context, loaded.Error!, LoginPageStrings.Default);
            return;
        }

        var (organization, request) = loaded.Value;
        string? email = form.Value!["email"];
        // Registering a passkey needs the code (typed on this page), never a link that may open elsewhere.
        var registerPasskey = form.Value!["intent"] == "passkey" && organization.Connections.Passkey && !request.Embed;
        var started = await attempts.StartAsync(organization, request, email, ClientContext.FromBrowser(context), registerPasskey ? EmailLoginType.Code : null, cancellationToken);
        if (started.Failed)
        {
            await ShowOrReturnErrorAsync(context, started.Error!, NewModel(context, antiforgery, organization, request, LoginStep.Email) with { Email = email }, request, server.Value);
            return;
        }

        var attempt = started.Value!.Attempt;
        var step = attempt.Type == EmailLoginType.Code ? LoginStep.Code : LoginStep.LinkSent;
        await RenderAsync(context, NewModel(context, antiforgery, organization, request, step) with { AttemptId = attempt.Id, Email = attempt.Email, RegisterPasskey = registerPasskey }, request);
    }

    private static async Task SubmitCodeAsync(HttpContext context, AuthDbContext db, OrganizationCache organizations, IAntiforgery antiforgery,
        LoginAttemptService attempts, SessionCookie sessionCookie, IOptions<ServerOptions> server, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(context, antiforgery);
        if (form.Failed)
        {
            await LoginPageRenderer.RenderErrorAsync(context, form.Error!, LoginPageStrings.Default);
            return;
        }

        if (ParseGuid(form.Value!["attempt"]) is not { } attemptId)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.LoginAttemptMissing(), LoginPageStrings.Default);
            return;
        }

        var checkedCode = await attempts.CheckCodeAsync(attemptId, form.Value!["code"], ClientContext.FromBrowser(context), cancellationToken);
        if (!checkedCode.Failed)
        {
            CompleteInBrowser(context, checkedCode.Value!, sessionCookie);
            return;
        }

        // Only a failed check needs the page again: read what it shows.
        var attempt = await db.LoginAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken);
        if (attempt?.AuthorizationRequestId is null)
        {
            await LoginPageRenderer.RenderErrorAsync(context, checkedCode.Error!, LoginPageStrings.Default);
            return;
        }

        var request = await db.AuthorizationRequests.AsNoTracking().SingleAsync(r => r.Id == attempt.AuthorizationRequestId, cancellationToken);
        var organization = await organizations.FindAsync(request.OrganizationId, cancellationToken);
        if (organization is null)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.OrganizationIdMissing(), LoginPageStrings.Default);
            return;
        }

        var model = NewModel(context, antiforgery, organization, request, LoginStep.Code) with { AttemptId = attempt.Id, Email = attempt.Email };
        await ShowOrReturnErrorAsync(context, checkedCode.Error!, model, request, server.Value);
    }

    private static async Task OpenLinkAsync(HttpContext context, Guid? attempt, string? token, LoginAttemptService attempts, SessionCookie sessionCookie, CancellationToken cancellationToken)
    {
        if (attempt is null)
        {
            await LoginPageRenderer.RenderErrorAsync(context, AuthError.LoginAttemptMissing(), LoginPageStrings.Default);
            return;
        }

        var checkedLink = await attempts.CheckLinkAsync(attempt.Value, token, ClientContext.FromBrowser(context), cancellationToken);
        if (checkedLink.Failed)
        {
            await LoginPageRenderer.RenderErrorAsync(context, checkedLink.Error!, LoginPageStrings.Default);
            return;
        }

        CompleteInBrowser(context, checkedLink.Value!, sessionCookie);
    }

    /// <summary>Remembers the new session in this browser (single sign-on) and moves on.</summary>
    private static void CompleteInBrowser(HttpContext context, CompletedSignIn signIn, SessionCookie sessionCookie)
    {
        sessionCookie.Issue(context, signIn.SessionId);
        context.Response.Redirect(signIn.RedirectUrl);
    }

    private static async Task ShowOrReturnErrorAsync(HttpContext context, AuthError error, LoginPageModel model, AuthorizationRequest request, ServerOptions server)
    {
        if (ReturnedToApp.Contains(error.Code))
        {
            context.Response.Redirect(AppRedirect.WithError(request, error, server.PublicBaseUri.ToString()));
            return;
        }

        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A field error says what is wrong with the field; that is what the person needs to read.
        var message = error.Details is { Count: > 0 } details ? details[0].Message : error.Message;
        await RenderAsync(context, model with { Error = message }, request, error.Status);
    }

    private static Task RenderAsync(HttpContext context, LoginPageModel model, AuthorizationRequest request, int status = StatusCodes.Status200OK)
    {
        OriginRules.TryGetOrigin(request.RedirectUri, out var appOrigin);
        return LoginPageRenderer.RenderAsync(context, model, [appOrigin], status);
    }

    private static LoginPageModel NewModel(HttpContext context, IAntiforgery antiforgery, CachedOrganization organization, AuthorizationRequest request, LoginStep step)
    {
        OriginRules.TryGetOrigin(request.RedirectUri, out var appOrigin);
        if (request.Embed)
        {
            EmbeddableCookieBuilder.MarkEmbedded(context);
        }

        return new LoginPageModel(organization.Name, LoginPageStrings.From(request.Translations), step, request.Id, antiforgery.GetAndStoreTokens(context), organization.Connections.Email)
        {
            EmbedOrigin = request.Embed ? appOrigin : null,
            // Not inside another site's frame: browsers allow passkeys there only when the app delegates them.
            Passkeys = organization.Connections.Passkey && !request.Embed,
        };
    }

    private static async Task<Outcome<(CachedOrganization, AuthorizationRequest)>> LoadRequestAsync(
        AuthDbContext db, OrganizationCache organizations, Guid? requestId, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = requestId is null ? null : await db.AuthorizationRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null || request.ExpiresAt <= clock.GetUtcNow())
        {
            return AuthError.EntityMissing("This sign-in page has expired. Go back to the app and start again.");
        }

        var organization = await organizations.FindAsync(request.OrganizationId, cancellationToken);
        return organization is null ? AuthError.OrganizationIdMissing() : (organization, request);
    }

    /// <summary>Reads the posted form after checking its anti-forgery token.</summary>
    private static async Task<Outcome<IFormCollection>> ReadFormAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType)
        {
            return AuthError.EntityInvalid("body", "A form post is expected.");
        }

        try
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return AuthError.EntityInvalid("__RequestVerificationToken", "The form expired. Go back to the app and start again.");
            }

            return Outcome<IFormCollection>.From(await context.Request.ReadFormAsync(context.RequestAborted));
        }
        catch (InvalidDataException)
        {
            return AuthError.EntityInvalid("body", "The form could not be read.");
        }
    }

    private static Guid? ParseGuid(string? value) => Guid.TryParse(value, out var id) ? id : null;
}
