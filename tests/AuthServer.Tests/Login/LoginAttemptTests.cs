using System.Globalization;
using System.Net;
using System.Text;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Login;

/// <summary>The emailed code and link: wrong, burned, reused, expired, unknown, tampered; stored only as hashes.</summary>
public sealed class LoginAttemptTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Wrong_code_shows_an_error_with_400_and_keeps_the_code_step()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "wrong@example.com");
        var right = fixture.Outbox.LatestCodeFor("wrong@example.com");

        var answer = await driver.SubmitCodeAsync(codePage, WrongCode(right));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Response.StatusCode);
        Assert.Null(answer.Response.Headers.Location);
        Assert.Equal(ErrorCatalog.LoginAttemptInvalid.Description, answer.Error);
        Assert.Contains("name=\"code\"", answer.Html);
        Assert.Equal(codePage.AttemptId, answer.AttemptId);

        // The attempt is not lost: the right code still works after one mistake.
        var done = await driver.SubmitCodeAsync(answer, right);
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        Assert.StartsWith(LoginServerFixture.Callback + "?code=", done.Response.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("abcde")]
    [InlineData("123456789012345678901234567890")]
    public async Task Malformed_code_counts_as_a_wrong_code(string code)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "malformed@example.com");

        var answer = await driver.SubmitCodeAsync(codePage, code);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Response.StatusCode);
        Assert.NotNull(answer.Error);
        Assert.Equal(1, await FailedChecksAsync(Guid.Parse(codePage.AttemptId)));
    }

    [Fact]
    public async Task Five_wrong_codes_burn_the_attempt_so_the_right_code_then_fails()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "burn@example.com");
        var right = fixture.Outbox.LatestCodeFor("burn@example.com");

        for (var i = 0; i < 5; i++)
        {
            var wrong = await driver.SubmitCodeAsync(codePage, WrongCode(right, i + 1));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.Response.StatusCode);
        }

        var answer = await driver.SubmitCodeAsync(codePage, right);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Response.StatusCode);
        Assert.Null(answer.Response.Headers.Location);
        Assert.NotNull(answer.Error);
        Assert.Equal(5, await FailedChecksAsync(Guid.Parse(codePage.AttemptId)));
        Assert.Equal(0, await fixture.Factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.OrganizationId == organization.Id)));
    }

    [Fact]
    public async Task Right_code_used_twice_is_refused_the_second_time()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "twice@example.com");
        var right = fixture.Outbox.LatestCodeFor("twice@example.com");
        var first = await driver.SubmitCodeAsync(codePage, right);
        Assert.Equal(HttpStatusCode.Redirect, first.Response.StatusCode);

        var second = await driver.SubmitCodeAsync(codePage, right);

        Assert.Equal(HttpStatusCode.BadRequest, second.Response.StatusCode);
        Assert.Null(second.Response.Headers.Location);
        Assert.NotNull(second.Error);
        Assert.Equal(1, await fixture.Factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.OrganizationId == organization.Id)));
    }

    [Fact]
    public async Task Right_code_from_another_browser_is_refused_the_second_time()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        using var other = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "twice2@example.com");
        var right = fixture.Outbox.LatestCodeFor("twice2@example.com");
        Assert.Equal(HttpStatusCode.Redirect, (await driver.SubmitCodeAsync(codePage, right)).Response.StatusCode);
        var otherPage = await other.OpenAsync(LoginDriver.LoginUrl(organization));

        var response = await other.Client.PostAsync("/login/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = codePage.RequestId,
            ["attempt"] = codePage.AttemptId,
            ["__RequestVerificationToken"] = otherPage.AntiforgeryToken,
            ["code"] = right,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Expired_attempt_shows_loginAttemptExpired()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "expired@example.com");
        var right = fixture.Outbox.LatestCodeFor("expired@example.com");
        await LoginAssertions.UpdateAttemptAsync(fixture, Guid.Parse(codePage.AttemptId), a => a.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1));

        var answer = await driver.SubmitCodeAsync(codePage, right);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Response.StatusCode);
        Assert.Null(answer.Response.Headers.Location);
        Assert.Equal(ErrorCatalog.LoginAttemptExpired.Description, answer.Error);
    }

    [Fact]
    public async Task Unknown_attempt_id_shows_loginAttemptMissing_page_with_404()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "unknown-attempt@example.com");

        foreach (var attempt in new[] { Guid.NewGuid().ToString(), "not-a-guid", "" })
        {
            var response = await driver.Client.PostAsync("/login/code", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["request"] = codePage.RequestId,
                ["attempt"] = attempt,
                ["__RequestVerificationToken"] = codePage.AntiforgeryToken,
                ["code"] = "12345",
            }));

            LoginAssertions.AssertErrorPage(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.NotFound, "loginAttemptMissing");
        }
    }

    [Fact]
    public async Task Code_post_without_anti_forgery_token_is_refused()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "csrf-code@example.com");
        var right = fixture.Outbox.LatestCodeFor("csrf-code@example.com");

        var response = await driver.Client.PostAsync("/login/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = codePage.RequestId,
            ["attempt"] = codePage.AttemptId,
            ["code"] = right,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(0, await fixture.Factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.OrganizationId == organization.Id)));
    }

    [Fact]
    public async Task Link_mode_link_redirects_to_the_callback_with_a_code()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var sent = await driver.SubmitEmailAsync(page, "link@example.com");
        Assert.Equal(HttpStatusCode.OK, sent.Response.StatusCode);
        Assert.DoesNotContain("name=\"code\"", sent.Html);

        var link = fixture.Outbox.LatestLinkFor("link@example.com");
        var response = await driver.FollowLinkAsync(link);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(LoginServerFixture.Callback + "?", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.False(string.IsNullOrEmpty(query["code"]));
        Assert.Equal("st-123", query["state"].ToString());
        Assert.Equal(LoginAssertions.Issuer, query["iss"].ToString());
        Assert.Equal(HttpStatusCode.OK, (await driver.VerifyAsync(organization, query["code"].ToString())).StatusCode);
    }

    [Fact]
    public async Task Link_used_twice_shows_loginAttemptInvalid_page()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        await driver.SubmitEmailAsync(page, "link-twice@example.com");
        var link = fixture.Outbox.LatestLinkFor("link-twice@example.com");
        var linkPage = await driver.OpenLinkPageAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, (await driver.PostLinkAsync(linkPage)).Response.StatusCode);

        var again = await driver.Client.GetAsync(link);
        var postedAgain = await driver.PostLinkAsync(linkPage);
        LoginAssertions.AssertErrorPage(postedAgain.Response, postedAgain.Html, HttpStatusCode.BadRequest, "loginAttemptInvalid");

        LoginAssertions.AssertErrorPage(again, await again.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "loginAttemptInvalid");
    }

    [Fact]
    public async Task Tampered_link_token_is_refused_and_counts_as_a_wrong_check()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        await driver.SubmitEmailAsync(page, "tamper@example.com");
        var link = fixture.Outbox.LatestLinkFor("tamper@example.com");
        var query = QueryHelpers.ParseQuery(new Uri(link).Query);
        var token = query["token"].ToString();
        var tampered = (token[0] == 'A' ? 'B' : 'A') + token[1..];

        var wrongToken = await driver.Client.GetAsync($"/login/link?attempt={query["attempt"]}&token={tampered}");
        var noToken = await driver.Client.GetAsync($"/login/link?attempt={query["attempt"]}");
        var otherAttempt = await driver.Client.GetAsync($"/login/link?attempt={Guid.NewGuid()}&token={token}");

        LoginAssertions.AssertErrorPage(wrongToken, await wrongToken.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "loginAttemptInvalid");
        LoginAssertions.AssertErrorPage(noToken, await noToken.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "loginAttemptInvalid");
        LoginAssertions.AssertErrorPage(otherAttempt, await otherAttempt.Content.ReadAsStringAsync(), HttpStatusCode.NotFound, "loginAttemptMissing");
        // Looking costs nothing (a scanner's fetch must not burn the link); posting a wrong token counts.
        Assert.Equal(0, await FailedChecksAsync(Guid.Parse(query["attempt"].ToString())));
        var linkPage = await driver.OpenLinkPageAsync(link);
        var postedWrong = await driver.PostLinkAsync(linkPage, token: tampered);
        LoginAssertions.AssertErrorPage(postedWrong.Response, postedWrong.Html, HttpStatusCode.BadRequest, "loginAttemptInvalid");
        await driver.PostLinkAsync(linkPage, token: tampered);
        Assert.Equal(2, await FailedChecksAsync(Guid.Parse(query["attempt"].ToString())));

        // The genuine link still works after the tampering.
        Assert.Equal(HttpStatusCode.Redirect, (await driver.PostLinkAsync(linkPage)).Response.StatusCode);
    }

    [Fact]
    public async Task Expired_link_shows_loginAttemptExpired_page()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        await driver.SubmitEmailAsync(page, "expired-link@example.com");
        var link = fixture.Outbox.LatestLinkFor("expired-link@example.com");
        var attemptId = Guid.Parse(QueryHelpers.ParseQuery(new Uri(link).Query)["attempt"].ToString());
        await LoginAssertions.UpdateAttemptAsync(fixture, attemptId, a => a.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1));

        var response = await driver.Client.GetAsync(link);

        LoginAssertions.AssertErrorPage(response, await response.Content.ReadAsStringAsync(), HttpStatusCode.BadRequest, "loginAttemptExpired");
    }

    [Fact]
    public async Task Link_without_parameters_or_with_a_malformed_attempt_never_answers_500()
    {
        using var driver = fixture.Driver();

        var none = await driver.Client.GetAsync("/login/link");
        var malformed = await driver.Client.GetAsync("/login/link?attempt=not-a-guid&token=x");
        var hugeToken = await driver.Client.GetAsync($"/login/link?attempt={Guid.NewGuid()}&token={new string('x', 5000)}");

        LoginAssertions.AssertErrorPage(none, await none.Content.ReadAsStringAsync(), HttpStatusCode.NotFound, "loginAttemptMissing");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hugeToken.StatusCode);
    }

    [Fact]
    public async Task Codes_and_link_tokens_are_stored_only_as_hashes()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var codePage = await StartAsync(driver, organization, "hashed@example.com");
        var code = fixture.Outbox.LatestCodeFor("hashed@example.com");

        var attempt = await fixture.Factory.WithDbAsync(db => db.LoginAttempts.AsNoTracking().SingleAsync(a => a.Id == Guid.Parse(codePage.AttemptId)));

        Assert.Equal(32, attempt.CodeHash.Length);
        Assert.Equal(32, attempt.LinkTokenHash.Length);
        var codeBytes = Encoding.ASCII.GetBytes(code);
        Assert.False(Contains(attempt.CodeHash, codeBytes), "The code's ASCII is in the stored hash.");
        Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(codeBytes), attempt.CodeHash);
        Assert.NotEqual(attempt.CodeHash, attempt.LinkTokenHash);

        // The authorization code handed to the app is not stored in clear either.
        var callback = (await driver.SubmitCodeAsync(codePage, code)).Response.Headers.Location!;
        var appCode = QueryHelpers.ParseQuery(callback.Query)["code"].ToString();
        var stored = await fixture.Factory.WithDbAsync(db => db.AuthorizationCodes.AsNoTracking().SingleAsync(c => c.OrganizationId == organization.Id));
        Assert.Equal(32, stored.CodeHash.Length);
        Assert.False(Contains(stored.CodeHash, Encoding.ASCII.GetBytes(appCode[..8])));
        Assert.NotEqual(WebEncoders.Base64UrlDecode(appCode), stored.CodeHash);
    }

    [Fact]
    public async Task Link_tokens_are_stored_only_as_hashes()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        await driver.SubmitEmailAsync(page, "hashed-link@example.com");
        var query = QueryHelpers.ParseQuery(new Uri(fixture.Outbox.LatestLinkFor("hashed-link@example.com")).Query);
        var token = query["token"].ToString();

        var attempt = await fixture.Factory.WithDbAsync(db => db.LoginAttempts.AsNoTracking().SingleAsync(a => a.Id == Guid.Parse(query["attempt"].ToString())));

        Assert.Equal(32, attempt.LinkTokenHash.Length);
        Assert.NotEqual(WebEncoders.Base64UrlDecode(token), attempt.LinkTokenHash);
        Assert.NotEqual(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(token)), attempt.LinkTokenHash);
    }

    private async Task<LoginDriver.LoginPage> StartAsync(LoginDriver driver, TestOrganization organization, string email)
    {
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await driver.SubmitEmailAsync(page, email);
        Assert.True(codePage.Response.StatusCode == HttpStatusCode.OK, codePage.Html);
        Assert.Contains("name=\"code\"", codePage.Html);
        return codePage;
    }

    private Task<int> FailedChecksAsync(Guid attemptId) =>
        fixture.Factory.WithDbAsync(db => db.LoginAttempts.Where(a => a.Id == attemptId).Select(a => a.FailedChecks).SingleAsync());

    private static string WrongCode(string right, int offset = 1) =>
        ((int.Parse(right, CultureInfo.InvariantCulture) + offset) % 100_000).ToString("D5", CultureInfo.InvariantCulture);

    private static bool Contains(byte[] haystack, byte[] needle) =>
        haystack.AsSpan().IndexOf(needle) >= 0;
}
