using System.Net;
using System.Text.Json.Nodes;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AuthServer.Tests.Infrastructure.LoginDriver;

namespace AuthServer.Tests.Passkeys;

/// <summary>
/// The passkey offer after an email sign-in, at the HTTP level (a software authenticator; the browser's own run
/// is in Browser/PasskeyOfferBrowserTests): when it is shown, that the sign-in is complete before it, that its
/// continue target is only the one the sign-in built, and that its registration needs this browser's session.
/// </summary>
public sealed class PasskeyOfferTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private const string OfferTitle = "Sign in faster next time with a passkey";

    private static string NewEmail() => $"offer-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task The_offer_registers_a_passkey_for_the_signed_in_person_and_continues_to_the_app()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var email = NewEmail();
        using var browser = fixture.Driver();
        using var authenticator = new SoftwareAuthenticator();

        var offer = await SignInByCodeAsync(browser, organization, email);
        Assert.Equal(HttpStatusCode.OK, offer.Response.StatusCode);
        Assert.Contains(OfferTitle, offer.Html);
        // Signed in already: the session exists and this browser's SSO cookie names it.
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/account")).StatusCode);
        // The app's redirect (and its code) is only inside the protected state, never in the page in clear.
        Assert.DoesNotContain(LoginServerFixture.AppOrigin, offer.Html);
        Assert.Contains(LoginServerFixture.AppOrigin, offer.Response.Headers.GetValues("Content-Security-Policy").Single());

        var driver = new PasskeyDriver(browser, fixture.Outbox);
        var state = offer.Field("state");
        var challenge = await PasskeyDriver.ChallengeAsync(await driver.PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = state }));
        Assert.Equal(email, challenge.Options.GetProperty("user").GetProperty("name").GetString());

        // The state alone is not enough: another browser (its own anti-forgery pair, no session cookie) is refused.
        using var other = fixture.Driver();
        var otherPage = await other.OpenAsync(LoginUrl(organization));
        await (await new PasskeyDriver(other, fixture.Outbox).PostAsync(otherPage, "/login/passkey/offer/options", new JsonObject { ["state"] = state }))
            .AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionMissing");
        // A sign-in ceremony endpoint does not answer an offer's ceremony.
        await (await driver.RegisterAsync(offer, challenge.Ceremony, authenticator.Register(challenge.Options)))
            .AssertErrorAsync(HttpStatusCode.NotFound, "passkeyDataMissing");
        await (await driver.PostAsync(offer, "/login/passkey/offer/register", new JsonObject { ["ceremony"] = challenge.Ceremony, ["state"] = state }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");

        var fresh = await PasskeyDriver.ChallengeAsync(await driver.PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = state }));
        var credential = JsonNode.Parse(authenticator.Register(fresh.Options));
        var registered = await driver.PostAsync(offer, "/login/passkey/offer/register", new JsonObject { ["ceremony"] = fresh.Ceremony, ["credential"] = credential, ["state"] = state });
        var redirect = await PasskeyDriver.RedirectAsync(registered);
        Assert.StartsWith(LoginServerFixture.Callback + "?", redirect);
        Assert.Contains("state=st-123", redirect);
        Assert.Equal(HttpStatusCode.OK, (await browser.VerifyAsync(organization, PasskeyDriver.CodeOf(redirect))).StatusCode);

        // Answered once.
        await (await driver.PostAsync(offer, "/login/passkey/offer/register", new JsonObject { ["ceremony"] = fresh.Ceremony, ["credential"] = credential!.DeepClone(), ["state"] = state }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");

        var (userId, passkeys, audit) = await fixture.Factory.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.OrganizationId == organization.Id && u.Email == email);
            var stored = await db.PasskeyCredentials.Where(p => p.UserId == user.Id).Select(p => p.CredentialId).ToListAsync();
            var entries = await db.AuditLog.Where(a => a.OrganizationId == organization.Id && a.Action == "passkey.add").Select(a => a.ActorType + " " + a.ActorId).ToListAsync();
            return (user.Id, stored, entries);
        });
        Assert.Equal([authenticator.CredentialId], passkeys);
        Assert.Equal([$"user {userId}"], audit);

        // The next visit signs in with the passkey alone; an email sign-in is no longer offered one.
        var signedIn = await new PasskeyDriver(fixture.Driver(), fixture.Outbox).SignInAsync(organization, authenticator);
        Assert.StartsWith(LoginServerFixture.Callback + "?", signedIn);
        var again = await SignInByCodeAsync(browser, organization, email);
        Assert.Equal(HttpStatusCode.Redirect, again.Response.StatusCode);
    }

    [Fact]
    public async Task No_offer_without_the_browsers_webauthn_hint_in_embed_mode_or_without_the_passkey_connection()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var noPasskeys = await fixture.CreateOrganizationAsync(o => o.Connections.Passkey = false);

        AssertRedirectToApp(await SignInByCodeAsync(fixture.Driver(), organization, NewEmail(), hint: false));
        AssertRedirectToApp(await SignInByCodeAsync(fixture.Driver(), organization, NewEmail(), extra: new Dictionary<string, string?> { ["embed"] = "1" }));
        AssertRedirectToApp(await SignInByCodeAsync(fixture.Driver(), noPasskeys, NewEmail()));
        // The same sign-in with the hint, for contrast: offered.
        Assert.Contains(OfferTitle, (await SignInByCodeAsync(fixture.Driver(), organization, NewEmail())).Html);
    }

    [Fact]
    public async Task Not_now_continues_at_once_and_is_remembered_in_that_browser_for_that_organization()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var another = await fixture.CreateOrganizationAsync();
        var email = NewEmail();
        using var browser = fixture.Driver();

        var offer = await SignInByCodeAsync(browser, organization, email);
        var later = await ContinueAsync(browser, offer, "later");
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
        Assert.StartsWith(LoginServerFixture.Callback + "?", later.Headers.Location!.ToString());
        var cookie = Assert.Single(later.Headers.GetValues("Set-Cookie"), c => c.StartsWith("authserver.passkey-later.", StringComparison.Ordinal));
        Assert.Contains(organization.Id.ToString("N"), cookie);
        Assert.Contains("max-age=2592000", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/login", cookie, StringComparison.OrdinalIgnoreCase);
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(later.Headers.Location!.Query)["code"].ToString();
        Assert.Equal(HttpStatusCode.OK, (await browser.VerifyAsync(organization, code)).StatusCode);

        AssertRedirectToApp(await SignInByCodeAsync(browser, organization, email));
        Assert.Contains(OfferTitle, (await SignInByCodeAsync(browser, another, email)).Html);

        // A plain "Continue" (no script) remembers nothing: the next sign-in offers again.
        using var plain = fixture.Driver();
        var continued = await ContinueAsync(plain, await SignInByCodeAsync(plain, organization, email), "continue");
        Assert.Equal(HttpStatusCode.Redirect, continued.StatusCode);
        Assert.False(continued.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("authserver.passkey-later.", StringComparison.Ordinal)));
        Assert.Contains(OfferTitle, (await SignInByCodeAsync(plain, organization, email)).Html);
    }

    [Fact]
    public async Task Continue_refuses_an_altered_state_and_a_missing_anti_forgery_token()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var browser = fixture.Driver();
        var offer = await SignInByCodeAsync(browser, organization, NewEmail());
        var state = offer.Field("state");

        var altered = await browser.Client.PostAsync("/login/passkey/offer/continue", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = offer.AntiforgeryToken,
            ["state"] = state[..^4] + (state.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
        }));
        await altered.AssertErrorPageAsync(HttpStatusCode.BadRequest, "entityInvalid");
        var unprotected = await browser.Client.PostAsync("/login/passkey/offer/continue", new FormUrlEncodedContent(new Dictionary<string, string> { ["state"] = state }));
        await unprotected.AssertErrorPageAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await new PasskeyDriver(browser, fixture.Outbox).PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = "nonsense" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await new PasskeyDriver(browser, fixture.Outbox).PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = state }, antiforgery: false))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
    }

    [Fact]
    public async Task The_standard_face_shows_the_same_offer_and_continues_through_authorize_to_the_client()
    {
        // OpenID Connect clients register their redirect URIs exactly.
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        using var browser = fixture.Driver();
        var oidc = new OidcDriver(browser, fixture.Outbox);
        var toPage = await browser.Client.GetAsync(OidcDriver.AuthorizeUrl(organization));
        Assert.Equal(HttpStatusCode.Redirect, toPage.StatusCode);

        var offer = await SignInByCodeAsync(browser, organization, NewEmail(), url: toPage.Headers.Location!.ToString());
        Assert.Contains(OfferTitle, offer.Html);
        var continued = await ContinueAsync(browser, offer, "later");
        Assert.Equal(HttpStatusCode.Redirect, continued.StatusCode);
        Assert.Contains("/connect/authorize", continued.Headers.Location!.ToString());

        var toClient = await oidc.FollowAsync(continued.Headers.Location!.ToString());
        Assert.StartsWith(LoginServerFixture.Callback + "?", toClient.Headers.Location!.ToString());
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(toClient.Headers.Location!.Query)["code"].ToString();
        Assert.Equal(HttpStatusCode.OK, (await oidc.RedeemAsync(organization, code)).StatusCode);
    }

    [Fact]
    public async Task A_passkey_the_offer_registers_without_a_name_is_named_in_the_language_the_app_asked_for()
    {
        // The app asked for Dutch; the browser itself says nothing of its language.
        var organization = await fixture.CreateOrganizationAsync();
        using var browser = fixture.Driver();
        var offer = await SignInByCodeAsync(browser, organization, NewEmail(), extra: new Dictionary<string, string?> { ["ui_locales"] = "nl" });
        Assert.Contains("lang=\"nl\"", offer.Html);
        var driver = new PasskeyDriver(browser, fixture.Outbox);
        using var authenticator = new SoftwareAuthenticator();
        var challenge = await PasskeyDriver.ChallengeAsync(await driver.PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = offer.Field("state") }));

        var registered = await driver.PostAsync(offer, "/login/passkey/offer/register", new JsonObject
        {
            ["ceremony"] = challenge.Ceremony,
            ["credential"] = JsonNode.Parse(authenticator.Register(challenge.Options)),
            ["state"] = offer.Field("state"),
        });

        await PasskeyDriver.RedirectAsync(registered);
        var name = await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.CredentialId == authenticator.CredentialId).Select(p => p.Name).SingleAsync());
        Assert.Matches(@"^Passkey toegevoegd op \d{4}-\d{2}-\d{2}$", name);
    }

    [Fact]
    public async Task One_offer_opens_a_bounded_number_of_ceremonies()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var browser = fixture.Driver();
        var offer = await SignInByCodeAsync(browser, organization, NewEmail());
        var driver = new PasskeyDriver(browser, fixture.Outbox);
        for (var i = 0; i < AuthServer.Features.Passkeys.Offer.PasskeyOfferRegistration.MaxCeremoniesPerSession; i++)
        {
            await PasskeyDriver.ChallengeAsync(await driver.PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = offer.Field("state") }));
        }

        var refused = await driver.PostAsync(offer, "/login/passkey/offer/options", new JsonObject { ["state"] = offer.Field("state") });
        await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "tooManyRequests");
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    private static void AssertRedirectToApp(LoginPage page)
    {
        Assert.True(page.Response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect to the app, got {(int)page.Response.StatusCode}: {page.Html}");
        Assert.StartsWith(LoginServerFixture.Callback + "?", page.Response.Headers.Location!.ToString());
    }

    private static Task<HttpResponseMessage> ContinueAsync(LoginDriver browser, LoginPage offer, string decision) =>
        browser.Client.PostAsync("/login/passkey/offer/continue", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = offer.AntiforgeryToken,
            ["state"] = offer.Field("state"),
            ["decision"] = decision,
        }));

    /// <summary>Email, then the code from the outbox, posted as login.js posts it where WebAuthn exists (the hint) or not.</summary>
    private async Task<LoginPage> SignInByCodeAsync(LoginDriver browser, TestOrganization organization, string email, bool hint = true, IDictionary<string, string?>? extra = null,
        string? url = null)
    {
        var page = await browser.OpenAsync(url ?? LoginUrl(organization, extra: extra));
        var codePage = await browser.SubmitEmailAsync(page, email);
        var fields = new Dictionary<string, string>
        {
            ["request"] = codePage.RequestId,
            ["attempt"] = codePage.AttemptId,
            ["__RequestVerificationToken"] = codePage.AntiforgeryToken,
            ["code"] = fixture.Outbox.LatestCodeFor(email),
        };
        if (hint)
        {
            fields["webauthn"] = "1";
        }

        var response = await browser.Client.PostAsync("/login/code", new FormUrlEncodedContent(fields));
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }
}
