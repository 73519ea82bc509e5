using System.Net;
using System.Text.Json;
using AuthServer.Data.Entities;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Login;

/// <summary>
/// Emailed links that survive mail scanners and work from another device: GET shows a page, POST decides; the
/// browser that asked signs in itself, another device approves (or declines) and the waiting browser signs in.
/// </summary>
public sealed class EmailLinkTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private async Task<(LoginDriver Person, LoginDriver.LoginPage Waiting, string Link, TestOrganization Organization, string Email)> AskForLinkAsync()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        var email = $"link-{Guid.NewGuid():N}@example.com";
        var person = fixture.Driver();
        var waiting = await person.SubmitEmailAsync(await person.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        Assert.Equal(HttpStatusCode.OK, waiting.Response.StatusCode);
        return (person, waiting, fixture.Outbox.LatestLinkFor(email), organization, email);
    }

    private static string NumberOn(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "id=\"approval-number\">([0-9]+)<").Groups[1].Value;

    private static async Task<string> StatusAsync(LoginDriver driver, string attemptId)
    {
        var response = await driver.Client.GetAsync($"/login/link/status?attempt={attemptId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("status").GetString()!;
    }

    private static async Task<LoginDriver.LoginPage> FinishAsync(LoginDriver driver, LoginDriver.LoginPage waiting)
    {
        var response = await driver.Client.PostAsync("/login/link/finish", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = waiting.RequestId,
            ["attempt"] = waiting.AttemptId,
            ["__RequestVerificationToken"] = waiting.AntiforgeryToken,
        }));
        return new LoginDriver.LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_scanner_fetching_the_link_first_gets_no_code_and_no_cookie_and_the_person_still_signs_in()
    {
        var (person, _, link, organization, _) = await AskForLinkAsync();
        using var _person = person;

        // Like Safe Links: GET, following redirects, no cookie jar; twice, and a HEAD.
        using var scanner = fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true, HandleCookies = false });
        for (var i = 0; i < 2; i++)
        {
            var scanned = await scanner.GetAsync(link);
            var html = await scanned.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, scanned.StatusCode);
            Assert.Equal(new Uri(link).AbsolutePath, scanned.RequestMessage!.RequestUri!.AbsolutePath);
            Assert.False(scanned.Headers.Contains("Set-Cookie"), string.Join("; ", scanned.Headers.TryGetValues("Set-Cookie", out var c) ? c : []));
            Assert.DoesNotContain("code=", html);
            Assert.Contains("Approve sign-in on the other device?", html);
        }

        var head = await scanner.SendAsync(new HttpRequestMessage(HttpMethod.Head, link));
        Assert.False(head.Headers.Contains("Set-Cookie"));
        var attemptId = QueryHelpers.ParseQuery(new Uri(link).Query)["attempt"].ToString();
        Assert.True(await fixture.Factory.WithDbAsync(db => db.LoginAttempts.AnyAsync(a => a.Id == Guid.Parse(attemptId) && a.CompletedAt == null && a.ApprovedAt == null && a.FailedChecks == 0)));

        // The person, in the browser that asked: one button, and it signs in there.
        var page = await person.OpenLinkPageAsync(link);
        Assert.Contains("Sign in to " + System.Net.WebUtility.HtmlEncode(await OrganizationNameAsync(organization)), page.Html);
        Assert.False(page.Response.Headers.Contains("Set-Cookie"));
        var signedIn = await person.PostLinkAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Response.StatusCode);
        var code = QueryHelpers.ParseQuery(signedIn.Response.Headers.Location!.Query)["code"].ToString();
        Assert.Equal(HttpStatusCode.OK, (await person.VerifyAsync(organization, code)).StatusCode);
    }

    [Fact]
    public async Task Another_device_approves_with_the_same_number_and_the_waiting_browser_signs_in()
    {
        var (person, waiting, link, organization, _) = await AskForLinkAsync();
        using var _person = person;
        using var phone = fixture.Driver();
        var number = NumberOn(waiting.Html);
        Assert.Matches("^[0-9]{2}$", number);
        Assert.Equal("pending", await StatusAsync(person, waiting.AttemptId));

        var approvePage = await phone.OpenLinkPageAsync(link);
        Assert.Contains("Approve sign-in on the other device?", approvePage.Html);
        Assert.Equal(number, NumberOn(approvePage.Html));

        // Finishing before the approval is refused, on the waiting page.
        var early = await FinishAsync(person, waiting);
        Assert.Equal(HttpStatusCode.BadRequest, early.Response.StatusCode);
        Assert.Contains("not been approved", early.Error);

        var approved = await phone.PostLinkAsync(approvePage);
        Assert.Equal(HttpStatusCode.OK, approved.Response.StatusCode);
        Assert.Contains("You can close this page", approved.Html);
        Assert.Null(approved.Response.Headers.Location);
        Assert.DoesNotContain(approved.Response.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("authserver.session", StringComparison.Ordinal));

        // The phone cannot poll the person's attempt; the person's page sees the approval and finishes.
        Assert.Equal(HttpStatusCode.NotFound, (await phone.Client.GetAsync($"/login/link/status?attempt={waiting.AttemptId}")).StatusCode);
        Assert.Equal("approved", await StatusAsync(person, waiting.AttemptId));
        var done = await FinishAsync(person, waiting);
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        var code = QueryHelpers.ParseQuery(done.Response.Headers.Location!.Query)["code"].ToString();
        Assert.Equal(HttpStatusCode.OK, (await person.VerifyAsync(organization, code)).StatusCode);

        // Everything after is spent: a second approval, a second finish, the link again.
        LoginAssertions.AssertErrorPage(await phone.PostLinkAsync(approvePage), HttpStatusCode.BadRequest, "loginAttemptInvalid");
        Assert.Equal(HttpStatusCode.BadRequest, (await FinishAsync(person, waiting)).Response.StatusCode);
        LoginAssertions.AssertErrorPage(await phone.OpenLinkPageAsync(link), HttpStatusCode.BadRequest, "loginAttemptInvalid");
    }

    [Fact]
    public async Task This_was_not_me_cancels_the_attempt_and_is_audited()
    {
        var (person, waiting, link, organization, _) = await AskForLinkAsync();
        using var _person = person;
        using var phone = fixture.Driver();

        var declined = await phone.PostLinkAsync(await phone.OpenLinkPageAsync(link), "decline");
        Assert.Equal(HttpStatusCode.OK, declined.Response.StatusCode);
        Assert.Contains("Nobody was signed in", declined.Html);

        Assert.Equal("declined", await StatusAsync(person, waiting.AttemptId));
        var finish = await FinishAsync(person, waiting);
        Assert.Equal(HttpStatusCode.BadRequest, finish.Response.StatusCode);
        Assert.Contains("cancelled", finish.Error);
        LoginAssertions.AssertErrorPage(await person.OpenLinkPageAsync(link), HttpStatusCode.BadRequest, "loginAttemptInvalid");
        var audit = await fixture.Factory.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(a => a.OrganizationId == organization.Id).ToListAsync());
        Assert.Contains(audit, a => a.Action == "signin.email.decline" && a.TargetId == waiting.AttemptId && a.Status == "success");
    }

    [Fact]
    public async Task The_link_form_refuses_cross_site_posts_and_missing_or_foreign_form_tokens()
    {
        var (person, _, link, _, _) = await AskForLinkAsync();
        using var _person = person;
        var page = await person.OpenLinkPageAsync(link);
        var fields = new Dictionary<string, string> { ["attempt"] = page.AttemptId, ["token"] = page.Field("token"), ["form"] = page.Field("form"), ["decision"] = "continue" };

        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/login/link") { Content = new FormUrlEncodedContent(fields) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        var otherOrigin = new HttpRequestMessage(HttpMethod.Post, "/login/link") { Content = new FormUrlEncodedContent(fields) };
        otherOrigin.Headers.Add("Origin", "https://evil.example");
        var noForm = new HttpRequestMessage(HttpMethod.Post, "/login/link") { Content = new FormUrlEncodedContent(fields.Where(f => f.Key != "form")) };
        var foreign = new HttpRequestMessage(HttpMethod.Post, "/login/link")
        {
            Content = new FormUrlEncodedContent(fields.Select(f => f.Key == "attempt" ? new KeyValuePair<string, string>("attempt", Guid.NewGuid().ToString()) : f)),
        };

        foreach (var request in new[] { crossSite, otherOrigin, noForm, foreign })
        {
            var response = await person.Client.SendAsync(request);
            LoginAssertions.AssertErrorPage(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "entityInvalid");
        }

        // None of them touched the attempt: the real button still signs in.
        Assert.Equal(HttpStatusCode.Redirect, (await person.PostLinkAsync(page)).Response.StatusCode);
    }

    [Fact]
    public async Task Status_and_finish_without_an_attempt_answer_catalog_errors()
    {
        using var driver = fixture.Driver();
        var none = await driver.Client.GetAsync("/login/link/status");
        await none.AssertErrorAsync(HttpStatusCode.NotFound, "loginAttemptMissing");
        var unknown = await driver.Client.GetAsync($"/login/link/status?attempt={Guid.NewGuid()}");
        await unknown.AssertErrorAsync(HttpStatusCode.NotFound, "loginAttemptMissing");
        var finish = await driver.Client.PostAsync("/login/link/finish", new FormUrlEncodedContent(new Dictionary<string, string> { ["attempt"] = Guid.NewGuid().ToString() }));
        LoginAssertions.AssertErrorPage(finish, await finish.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "entityInvalid");
    }

    private Task<string> OrganizationNameAsync(TestOrganization organization) =>
        fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == organization.Id).Select(o => o.Name).SingleAsync());
}
