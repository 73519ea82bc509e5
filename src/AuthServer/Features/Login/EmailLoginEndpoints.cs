using AuthServer.Pages;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login.Links;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Passkeys;
using AuthServer.Features.Passkeys.Offer;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Login;

/// <summary>
/// The email login method's forms: post the email (a code or a link is sent), then the code; /login/link
/// completes an emailed link. Thin: the work is in <see cref="LoginAttemptService"/>.
/// </summary>
public static class EmailLoginEndpoints
{
    public static IEndpointRouteBuilder MapEmailLogin(this IEndpointRouteBuilder app)
    {
        var login = app.MapGroup("/login").ExcludeFromDescription();
        login.MapPost("/email", SubmitEmailAsync).DisableAntiforgery();
        login.MapPost("/code", SubmitCodeAsync).DisableAntiforgery();
        app.MapEmailLinks();
        return app;
    }

    private static async Task SubmitEmailAsync(HttpContext context, AuthorizationRequestService requests, LoginPageResponder pages,
        LoginAttemptService attempts, BrowserBinding binding, Microsoft.Extensions.Options.IOptions<LoginOptions> options, Challenge.ProofOfWork proofOfWork,
        AuthDbContext db, CancellationToken cancellationToken)
    {
        var form = await pages.ReadFormAsync(context);
        if (form.Failed)
        {
            await StandardPages.ErrorAsync(context, form.Error!);
            return;
        }

        var loaded = await requests.LoadAsync(ParseGuid(form.Value!["request"]), cancellationToken);
        if (loaded.Failed)
        {
            await StandardPages.ErrorAsync(context, loaded.Error!);
            return;
        }

        var (organization, request) = loaded.Value;
        var model = pages.NewModel(context, organization, request);
        string? email = form.Value!["email"];
        // Registering a passkey needs the code (typed on this page), never a link that may open elsewhere.
        var registerPasskey = form.Value!["intent"] == "passkey" && model.Offers(PasskeyLoginMethod.MethodName);
        // This browser is remembered with the attempt, so its link knows whether it is opened here or elsewhere.
        var browserHash = binding.Hash(binding.Ensure(context));
        var proof = new ProofOfWorkAnswer(ParseGuid(form.Value!["pow"]), form.Value!["pow_counter"]);
        var client = ClientContext.FromBrowser(context);
        var started = await attempts.StartAsync(organization, request, email, client, registerPasskey ? EmailLoginType.Code : null, cancellationToken,
            browserHash, proof);
        if (started.Failed && started.Error!.Code == ErrorCatalog.CaptchaInvalid.Code && EmailAddress.IsValid(email))
        {
            // A new puzzle for the page's script, however the last answer failed (each is spent once).
            var difficulty = await proofOfWork.RequiredDifficultyAsync(organization, client.Ip, EmailAddress.Normalize(email!), cancellationToken) ?? Challenge.ProofOfWork.BaseDifficulty;
            var puzzle = proofOfWork.Issue(request.Id, difficulty);
            await db.SaveChangesAsync(cancellationToken);
            model = model with { ProofOfWork = puzzle, RegisterPasskey = registerPasskey };
            if (proof.PuzzleId is null)
            {
                // Asked for the first time: not the person's mistake, so no red error; the status line explains.
                await pages.RenderAsync(context, model with { Email = email }, request, started.Error.Status);
                return;
            }
        }

        if (started.Failed)
        {
            // A registration stays a registration: the form asks for the address again in registration mode.
            await pages.ShowOrReturnErrorAsync(context, started.Error!, model with { Email = email, RegisterPasskey = registerPasskey }, request);
            return;
        }

        var attempt = started.Value!.Attempt;
        var step = attempt.Type == EmailLoginType.Code ? typeof(EmailCodeStep) : typeof(EmailLinkSentStep);
        await pages.RenderAsync(context, model with
        {
            Step = step,
            AttemptId = attempt.Id,
            Email = attempt.Email,
            RegisterPasskey = registerPasskey,
            ApprovalNumber = attempt.ApprovalNumber,
            WaitSeconds = (int)options.Value.AttemptLifetime.TotalSeconds,
        }, request);
    }

    private static async Task SubmitCodeAsync(HttpContext context, AuthDbContext db, AuthorizationRequestService requests, LoginPageResponder pages,
        LoginAttemptService attempts, SessionCookie sessionCookie, CancellationToken cancellationToken)
    {
        var form = await pages.ReadFormAsync(context);
        if (form.Failed)
        {
            await StandardPages.ErrorAsync(context, form.Error!);
            return;
        }

        if (ParseGuid(form.Value!["attempt"]) is not { } attemptId)
        {
            await StandardPages.ErrorAsync(context, AuthError.LoginAttemptMissing());
            return;
        }

        var checkedCode = await attempts.CheckCodeAsync(attemptId, form.Value!["code"], ClientContext.FromBrowser(context), cancellationToken);
        if (!checkedCode.Failed)
        {
            await CompleteInBrowserAsync(context, checkedCode.Value!, sessionCookie, form.Value!);
            return;
        }

        // Only a failed check needs the page again: read what it shows.
        var attempt = await db.LoginAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken);
        var loaded = attempt?.AuthorizationRequestId is { } requestId ? await requests.LoadAsync(requestId, cancellationToken) : default;
        if (attempt is null || loaded.Value.Request is null)
        {
            await StandardPages.ErrorAsync(context, checkedCode.Error!);
            return;
        }

        var (organization, request) = loaded.Value;
        var model = pages.NewModel(context, organization, request) with { Step = typeof(EmailCodeStep), AttemptId = attempt.Id, Email = attempt.Email };
        await pages.ShowOrReturnErrorAsync(context, checkedCode.Error!, model, request);
    }

    /// <summary>
    /// Remembers the new session in this browser (single sign-on) and moves on: to the app, or first to the
    /// passkey offer when it applies (the form says whether the browser has WebAuthn).
    /// </summary>
    internal static async Task CompleteInBrowserAsync(HttpContext context, CompletedSignIn signIn, SessionCookie sessionCookie, IFormCollection form)
    {
        sessionCookie.Issue(context, signIn.SessionId);
        var offer = context.RequestServices.GetRequiredService<PasskeyOffer>();
        if (await offer.TryShowAsync(context, signIn, form[PasskeyOffer.BrowserHintField] == "1", context.RequestAborted))
        {
            return;
        }

        context.Response.Redirect(signIn.RedirectUrl);
    }

    internal static Guid? ParseGuid(string? value) => Guid.TryParse(value, out var id) ? id : null;
}
