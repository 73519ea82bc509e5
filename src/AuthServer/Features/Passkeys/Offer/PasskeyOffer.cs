using AuthServer.Data;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using AuthServer.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Passkeys.Offer;

/// <summary>
/// "Sign in faster next time with a passkey": one page between a finished email sign-in and the app, for a
/// person without a passkey in this organization, on a browser whose script said it has WebAuthn (the
/// <c>webauthn</c> field login.js adds to the forms that finish an email sign-in). Never in embed mode, never
/// for an organization without the passkey connection, and not again in a browser that answered "Not now"
/// (a cookie per organization, <see cref="PasskeyOptions.OfferSnooze"/>). The sign-in is complete before the
/// page is shown: the offer only delays the redirect the face already built.
/// </summary>
public sealed class PasskeyOffer(
    AuthDbContext db,
    PasskeyOfferStates states,
    IAntiforgery antiforgery,
    PageContextFactory pageContexts,
    PageRenderer renderer,
    IOptions<PasskeyOptions> options,
    IOptions<ServerOptions> server)
{
    /// <summary>The form field login.js sets to "1" where <c>PublicKeyCredential</c> exists.</summary>
    public const string BrowserHintField = "webauthn";

    private const string SnoozeCookiePrefix = "authserver.passkey-later.";

    /// <summary>Shows the offer instead of redirecting when it applies; false when the caller should redirect as usual.</summary>
    public async Task<bool> TryShowAsync(HttpContext context, CompletedSignIn signIn, bool browserHasWebAuthn, CancellationToken cancellationToken)
    {
        if (!browserHasWebAuthn || signIn.Organization is not { } organization || signIn.Request is not { } request
            || !organization.Connections.Passkey || request.Embed || IsSnoozed(context, organization.Id)
            || await db.PasskeyCredentials.AnyAsync(p => p.UserId == signIn.UserId, cancellationToken))
        {
            return false;
        }

        var state = states.Protect(new PasskeyOfferState(signIn.SessionId, signIn.UserId, organization.Id, request.Id, signIn.RedirectUrl, request.UiLocales));
        var page = pageContexts.For(context.Request, organization, request.UiLocales, request.Translations);
        // The continue form's redirect goes to the app: the CSP's form-action must allow its origin.
        OriginRules.TryGetOrigin(request.RedirectUri, out var appOrigin);
        await renderer.WriteAsync<PasskeyOfferPage>(context, page, new Dictionary<string, object>
        {
            [nameof(PasskeyOfferPage.State)] = state,
            [nameof(PasskeyOfferPage.Antiforgery)] = antiforgery.GetAndStoreTokens(context),
        }, formTargets: [appOrigin]);
        return true;
    }

    /// <summary>"Not now": this browser is not asked again for this organization for a while.</summary>
    public void Snooze(HttpContext context, Guid organizationId) =>
        context.Response.Cookies.Append(SnoozeCookieName(organizationId), "1", new CookieOptions
        {
            HttpOnly = true,
            Secure = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttps || context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            // Only the forms that finish a sign-in read it.
            Path = "/login",
            MaxAge = options.Value.OfferSnooze,
            IsEssential = true,
        });

    private static bool IsSnoozed(HttpContext context, Guid organizationId) =>
        context.Request.Cookies.ContainsKey(SnoozeCookieName(organizationId));

    private static string SnoozeCookieName(Guid organizationId) => SnoozeCookiePrefix + organizationId.ToString("N");
}
