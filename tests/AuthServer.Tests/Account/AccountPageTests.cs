using System.Net;
using AuthServer.Features.Admin;
using AuthServer.Features.Webhooks;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Account;

/// <summary>
/// GET /account and its forms, signed in through the SSO cookie the hosted login sets, with several clients
/// standing for several browsers of one person. Every change is checked in the database, the audit log and the
/// queued webhooks; ids of someone else's passkey or session are refused and change nothing.
/// </summary>
public sealed class AccountPageTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Without_a_session_the_page_says_so_and_forms_are_refused()
    {
        using var driver = fixture.Driver();
        var page = await driver.Client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("You are not signed in", await page.Content.ReadAsStringAsync());

        // A valid anti-forgery pair (from a login page) but nobody signed in.
        var organization = await fixture.CreateOrganizationAsync();
        var login = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var refused = await PostAsync(driver, "/account/sessions/end-others", login.AntiforgeryToken, []);
        await refused.AssertErrorPageAsync(HttpStatusCode.Unauthorized, "sessionMissing");
    }

    [Fact]
    public async Task Lists_and_changes_only_the_persons_own_passkeys_and_sessions()
    {
        var organization = await fixture.CreateOrganizationAsync();
        await SubscribeAsync(organization.Id);
        var email = $"acc-{Guid.NewGuid():N}@example.com";
        using var laptop = fixture.Driver();
        using var phone = fixture.Driver();
        using var tablet = fixture.Driver();
        using var stranger = fixture.Driver();
        foreach (var browser in new[] { laptop, phone, tablet })
        {
            await browser.SignInAsync(organization, email);
        }

        await stranger.SignInAsync(organization, $"other-{Guid.NewGuid():N}@example.com");
        var (userId, otherUserId) = await fixture.Factory.WithDbAsync(async db => (
            (await db.Users.SingleAsync(u => u.OrganizationId == organization.Id && u.Email == email)).Id,
            (await db.Users.SingleAsync(u => u.OrganizationId == organization.Id && u.Email != email)).Id));
        var mine = await PasskeyAdminTests.AddPasskeyAsync(fixture, userId, organization.Id, "Work laptop");
        var spare = await PasskeyAdminTests.AddPasskeyAsync(fixture, userId, organization.Id, "Spare key");
        var theirs = await PasskeyAdminTests.AddPasskeyAsync(fixture, otherUserId, organization.Id, "Their phone");
        var sessions = await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.UserId == userId).OrderBy(s => s.Created).Select(s => s.Id).ToListAsync());
        var theirSession = await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.UserId == otherUserId).Select(s => s.Id).SingleAsync());
        Assert.Equal(3, sessions.Count);
        var (laptopSession, phoneSession, tabletSession) = (sessions[0], sessions[1], sessions[2]);

        var page = await OpenAsync(laptop);
        Assert.Contains(email, page.Html);
        Assert.Contains("Work laptop", page.Html);
        Assert.Contains("Spare key", page.Html);
        Assert.DoesNotContain("Their phone", page.Html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(page.Html, "This device"));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(page.Html, "action=\"/account/sessions/end\"").Count);
        Assert.DoesNotContain(theirSession.ToString(), page.Html);

        // Someone else's passkey and session, by id: refused as missing, nothing changed.
        await (await PostAsync(laptop, "/account/passkeys/rename", page.AntiforgeryToken, new() { ["id"] = theirs, ["name"] = "Mine now" })).AssertErrorPageAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await PostAsync(laptop, "/account/passkeys/delete", page.AntiforgeryToken, new() { ["id"] = theirs })).AssertErrorPageAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await PostAsync(laptop, "/account/sessions/end", page.AntiforgeryToken, new() { ["id"] = theirSession.ToString() })).AssertErrorPageAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await PostAsync(laptop, "/account/passkeys/delete", page.AntiforgeryToken, new() { ["id"] = "%%not-base64%%" })).AssertErrorPageAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await PostAsync(laptop, "/account/sessions/end", page.AntiforgeryToken, new() { ["id"] = "not-a-guid" })).AssertErrorPageAsync(HttpStatusCode.NotFound, "entityMissing");
        Assert.Equal("Their phone", await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.UserId == otherUserId).Select(p => p.Name).SingleAsync()));
        Assert.Null(await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == theirSession).Select(s => s.EndedAt).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await stranger.Client.GetAsync("/account")).StatusCode);

        // Without the anti-forgery token: refused, nothing changed.
        await (await PostAsync(laptop, "/account/passkeys/delete", null, new() { ["id"] = mine })).AssertErrorPageAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await PostAsync(laptop, "/account/passkeys/rename", page.AntiforgeryToken, new() { ["id"] = mine, ["name"] = "  " })).AssertErrorPageAsync(HttpStatusCode.BadRequest, "missingFields");
        Assert.Equal(3, await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.CountAsync(p => p.OrganizationId == organization.Id)));

        var renamed = await PostAsync(laptop, "/account/passkeys/rename", page.AntiforgeryToken, new() { ["id"] = mine, ["name"] = "  Home laptop " });
        Assert.Equal(HttpStatusCode.SeeOther, renamed.StatusCode);
        Assert.Equal("/account?done=renamed", renamed.Headers.Location!.OriginalString);
        Assert.Equal("Home laptop", await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.UserId == userId && p.Name == "Home laptop").Select(p => p.Name).SingleAsync()));
        Assert.Contains("The passkey was renamed.", (await OpenAsync(laptop, "/account?done=renamed")).Html);

        var deleted = await PostAsync(laptop, "/account/passkeys/delete", page.AntiforgeryToken, new() { ["id"] = spare });
        Assert.Equal(HttpStatusCode.SeeOther, deleted.StatusCode);
        Assert.Equal(["Home laptop"], await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.UserId == userId).Select(p => p.Name).ToListAsync()));

        // Another browser's session: ended the way a logout ends it; that browser is signed out.
        var ended = await PostAsync(laptop, "/account/sessions/end", page.AntiforgeryToken, new() { ["id"] = phoneSession.ToString() });
        Assert.Equal(HttpStatusCode.SeeOther, ended.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.Client.GetAsync("/account")).StatusCode);
        var phoneRow = await fixture.Factory.WithDbAsync(db => db.Sessions.SingleAsync(s => s.Id == phoneSession));
        Assert.NotNull(phoneRow.EndedAt);
        Assert.Equal(SessionAdmin.RevokedReason, phoneRow.EndReason);
        Assert.Equal(HttpStatusCode.OK, (await tablet.Client.GetAsync("/account")).StatusCode);

        var others = await PostAsync(laptop, "/account/sessions/end-others", page.AntiforgeryToken, []);
        Assert.Equal(HttpStatusCode.SeeOther, others.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tablet.Client.GetAsync("/account")).StatusCode);
        var after = await OpenAsync(laptop, "/account?done=endedOthers");
        Assert.Contains("All other sessions were ended.", after.Html);
        Assert.DoesNotContain("action=\"/account/sessions/end\"", after.Html);
        Assert.Null(await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == laptopSession).Select(s => s.EndedAt).SingleAsync()));
        Assert.NotNull(await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == tabletSession).Select(s => s.EndedAt).SingleAsync()));

        // Audited with the person as actor; webhooks queued like the admin API's.
        var audit = await fixture.Factory.WithDbAsync(db => db.AuditLog.Where(a => a.OrganizationId == organization.Id && a.ActorType == "user" && a.ActorId == userId.ToString()
            && (a.Action == "passkey.rename" || a.Action == "passkey.delete" || a.Action == "session.revoke")).OrderBy(a => a.Id).Select(a => a.Action + " " + a.TargetId).ToListAsync());
        Assert.Equal([$"passkey.rename {mine}", $"passkey.delete {spare}", $"session.revoke {phoneSession}", $"session.revoke {tabletSession}"], audit);
        var events = await fixture.Factory.WithDbAsync(db => db.WebhookDeliveries.Where(d => d.OrganizationId == organization.Id
            && (d.EventType == WebhookEventTypes.PasskeyRemoved || d.EventType == WebhookEventTypes.SessionEnded)).Select(d => d.EventType).ToListAsync());
        Assert.Equal(1, events.Count(e => e == WebhookEventTypes.PasskeyRemoved));
        Assert.Equal(2, events.Count(e => e == WebhookEventTypes.SessionEnded));
    }

    private static async Task<LoginDriver.LoginPage> OpenAsync(LoginDriver browser, string path = "/account")
    {
        var response = await browser.Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        return new LoginDriver.LoginPage(response, html);
    }

    private static Task<HttpResponseMessage> PostAsync(LoginDriver browser, string path, string? antiforgery, Dictionary<string, string> fields)
    {
        if (antiforgery is not null)
        {
            fields["__RequestVerificationToken"] = antiforgery;
        }

        return browser.Client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    /// <summary>An endpoint for every event, so the queued deliveries show which events fired (nothing is listening).</summary>
    private async Task SubscribeAsync(Guid organizationId)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<WebhookAdmin>().CreateAsync(AdminCaller.ApiKey(Guid.Empty, null, null), organizationId,
            new WebhookEndpointRequest { Url = "https://hooks.example.com/account", EventTypes = [WebhookEventTypes.PasskeyRemoved, WebhookEventTypes.SessionEnded] }, CancellationToken.None);
        Assert.False(created.Failed, created.Error?.Message);
    }
}
