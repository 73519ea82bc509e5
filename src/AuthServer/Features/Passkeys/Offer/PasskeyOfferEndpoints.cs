using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using AuthServer.Pages;

namespace AuthServer.Features.Passkeys.Offer;

/// <summary>
/// The offer page's endpoints: its form (continue, or "Not now", which is remembered), and the JSON pair the
/// script calls around navigator.credentials.create (anti-forgery in the header, as the login page's).
/// </summary>
public static class PasskeyOfferEndpoints
{
    public sealed record OfferOptionsBody(string? State);
    public sealed record OfferCredentialBody(Guid? Ceremony, System.Text.Json.JsonElement Credential, string? State, string? Name);

    public static IEndpointRouteBuilder MapPasskeyOffer(this IEndpointRouteBuilder app)
    {
        var offer = app.MapGroup("/login/passkey/offer").ExcludeFromDescription().DisableAntiforgery();
        offer.MapPost("/continue", ContinueAsync);
        var json = offer.MapGroup("").AddEndpointFilter(PasskeyLoginEndpoints.RequireAntiforgeryAsync);
        json.MapPost("/options", async (OfferOptionsBody body, PasskeyOfferRegistration registration, HttpContext context, CancellationToken cancellationToken) =>
            PasskeyLoginEndpoints.Challenge(await registration.BeginAsync(body.State, context, cancellationToken)));
        json.MapPost("/register", async (OfferCredentialBody body, PasskeyOfferRegistration registration, HttpContext context, CancellationToken cancellationToken) =>
        {
            var problem = PasskeyLoginEndpoints.CredentialProblem(new PasskeyLoginEndpoints.CredentialBody(body.Ceremony, body.Credential, body.Name));
            var done = problem is not null ? problem : await registration.FinishAsync(body.Ceremony, body.Credential.GetRawText(), body.State, body.Name, context, cancellationToken);
            return done.Failed ? done.Error!.ToResult() : Results.Ok(new PasskeyLoginEndpoints.CompletedResponse(done.Value!));
        });
        return app;
    }

    /// <summary>On to the app, as the sign-in would have gone; "Not now" is remembered in this browser for the organization.</summary>
    private static async Task ContinueAsync(HttpContext context, LoginPageResponder pages, PasskeyOfferStates states, PasskeyOffer offer)
    {
        var form = await pages.ReadFormAsync(context);
        if (form.Failed)
        {
            await StandardPages.ErrorAsync(context, form.Error!);
            return;
        }

        if (states.Read(form.Value!["state"]) is not { } state)
        {
            await StandardPages.ErrorAsync(context, AuthError.EntityInvalid("state", "The page expired. Go back to the app and sign in again."));
            return;
        }

        if (form.Value!["decision"] == "later")
        {
            offer.Snooze(context, state.OrganizationId);
        }

        context.Response.Redirect(state.RedirectUrl);
    }
}
