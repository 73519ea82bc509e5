using System.Text.Json;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using Microsoft.AspNetCore.Antiforgery;

namespace AuthServer.Features.Passkeys;

/// <summary>
/// The JSON endpoints the login page's script calls around navigator.credentials. Every post carries the
/// page's anti-forgery token (header RequestVerificationToken). Thin: the work is in the services.
/// </summary>
public static class PasskeyLoginEndpoints
{
    public sealed record SignInOptionsBody(Guid? Request);
    public sealed record RegistrationOptionsBody(Guid? Attempt, string? Code);
    public sealed record CredentialBody(Guid? Ceremony, JsonElement Credential, string? Name);
    public sealed record ChallengeResponse(Guid Ceremony, JsonElement Options);
    public sealed record CompletedResponse(string RedirectUrl);

    public static IEndpointRouteBuilder MapPasskeys(this IEndpointRouteBuilder app)
    {
        var passkeys = app.MapGroup("/login/passkey").ExcludeFromDescription().DisableAntiforgery().AddEndpointFilter(RequireAntiforgeryAsync);
        passkeys.MapPost("/options", async (SignInOptionsBody body, PasskeySignInService signIn, HttpContext context, CancellationToken cancellationToken) =>
            Challenge(await signIn.BeginAsync(body.Request, context, ClientContext.FromBrowser(context), cancellationToken)));
        passkeys.MapPost("/verify", async (CredentialBody body, PasskeySignInService signIn, SessionCookie cookie, HttpContext context, CancellationToken cancellationToken) =>
            Completed(context, cookie, CredentialProblem(body) is { } problem ? problem : await signIn.FinishAsync(body.Ceremony, body.Credential.GetRawText(), context, ClientContext.FromBrowser(context), cancellationToken)));
        passkeys.MapPost("/register/options", async (RegistrationOptionsBody body, PasskeyRegistrationService registration, HttpContext context, CancellationToken cancellationToken) =>
            Challenge(await registration.BeginAsync(body.Attempt, body.Code, context, ClientContext.FromBrowser(context), cancellationToken)));
        passkeys.MapPost("/register", async (CredentialBody body, PasskeyRegistrationService registration, SessionCookie cookie, HttpContext context, CancellationToken cancellationToken) =>
            Completed(context, cookie, CredentialProblem(body) is { } problem ? problem : await registration.FinishAsync(body.Ceremony, body.Credential.GetRawText(), body.Name, context, ClientContext.FromBrowser(context), cancellationToken)));
        return app;
    }

    /// <summary>The same anti-forgery pair as the page's forms: the cookie and the token the page carries.</summary>
    internal static async ValueTask<object?> RequireAntiforgeryAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        context.Response.Headers.CacheControl = "no-store";
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return AuthError.EntityInvalid("RequestVerificationToken", "The page expired. Reload it and try again.").ToResult();
        }

        return await next(invocation);
    }

    internal static AuthError? CredentialProblem(CredentialBody body) => body.Credential.ValueKind switch
    {
        JsonValueKind.Object => null,
        JsonValueKind.Undefined or JsonValueKind.Null => AuthError.MissingFields("credential"),
        _ => AuthError.EntityInvalid("credential", "A PublicKeyCredential (its toJSON() form) is expected."),
    };

    internal static IResult Challenge(Outcome<PasskeyChallenge> outcome)
    {
        if (outcome.Failed)
        {
            return outcome.Error!.ToResult();
        }

        using var options = JsonDocument.Parse(outcome.Value!.OptionsJson);
        return Results.Ok(new ChallengeResponse(outcome.Value.Ceremony, options.RootElement.Clone()));
    }

    /// <summary>Signed in: this browser keeps the session (single sign-on), and the script goes where the completion says.</summary>
    private static IResult Completed(HttpContext context, SessionCookie cookie, Outcome<CompletedSignIn> outcome)
    {
        if (outcome.Failed)
        {
            return outcome.Error!.ToResult();
        }

        cookie.Issue(context, outcome.Value!.SessionId);
        return Results.Ok(new CompletedResponse(outcome.Value.RedirectUrl));
    }
}
