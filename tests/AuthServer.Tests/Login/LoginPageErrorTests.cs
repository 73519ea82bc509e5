using System.Net;
using System.Text;
using AuthServer.Data.Entities;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Login;

/// <summary>Every way GET /login and the email step can fail, and the security properties of the page.</summary>
public sealed class LoginPageErrorTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    // --- Errors shown on a page: the client or the redirect URI cannot be trusted, so never a redirect.

    [Fact]
    public async Task Login_without_client_id_shows_organizationIdMissing_page_without_redirect()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["client_id"] = null }));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "organizationIdMissing");
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("3f1c2a8e-0000-4000-8000-000000000000")]
    public async Task Login_with_unknown_client_id_shows_organizationIdMissing_page(string clientId)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["client_id"] = clientId }));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "organizationIdMissing");
    }

    [Fact]
    public async Task Login_without_redirect_uri_shows_callbackUrlMissing_page()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, redirectUri: null));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "callbackUrlMissing");
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("/api/auth/callback")]
    [InlineData("ftp://app.example.com/callback")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://app.example.com/callback#fragment")]
    [InlineData("https://user:pass@app.example.com/callback")]
    public async Task Login_with_malformed_redirect_uri_shows_callbackUrlInvalid_page(string redirectUri)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, redirectUri));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "callbackUrlInvalid");
    }

    [Theory]
    [InlineData("https://evil.example.com/api/auth/callback")]
    [InlineData("https://app.example.com.evil.com/api/auth/callback")]
    [InlineData("http://app.example.com/api/auth/callback")]
    [InlineData("https://app.example.com:8443/api/auth/callback")]
    public async Task Login_with_redirect_uri_on_an_origin_not_whitelisted_shows_callbackUrlInvalid_page(string redirectUri)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, redirectUri));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "callbackUrlInvalid");
    }

    [Theory]
    [InlineData("http://localhost:3000/api/auth/callback")]
    [InlineData("http://127.0.0.1:3000/api/auth/callback")]
    public async Task Login_to_localhost_when_localhost_is_not_allowed_shows_callbackUrlInvalid_page(string redirectUri)
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.AllowLocalhost = false);
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, redirectUri));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "callbackUrlInvalid");
    }

    [Theory]
    [InlineData("http://localhost:3000/api/auth/callback")]
    [InlineData("http://127.0.0.1:3000/api/auth/callback")]
    public async Task Login_to_localhost_when_localhost_is_allowed_shows_the_login_page(string redirectUri)
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.AllowLocalhost = true);
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, redirectUri));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains("name=\"email\"", page.Html);
    }

    // --- Errors returned to the app: the client and its redirect URI are trusted.

    [Theory]
    [InlineData("token")]
    [InlineData("id_token")]
    [InlineData(null)]
    public async Task Login_with_response_type_other_than_code_redirects_with_entityInvalid(string? responseType)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, responseType: responseType));

        LoginAssertions.AssertRedirectError(page, "entityInvalid", "st-123");
    }

    [Fact]
    public async Task Login_without_state_redirects_with_stateMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, state: null));

        LoginAssertions.AssertRedirectError(page, "stateMissing", null);
    }

    [Fact]
    public async Task Login_with_state_over_4096_characters_redirects_with_stateInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var accepted = await driver.OpenAsync(LoginDriver.LoginUrl(organization, state: new string('s', 4096)));
        var refused = await driver.OpenAsync(LoginDriver.LoginUrl(organization, state: new string('s', 4097)));

        Assert.Equal(HttpStatusCode.OK, accepted.Response.StatusCode);
        // RFC 6749 §4.1.2.1: the state comes back exactly as received, even when it is the parameter at fault.
        LoginAssertions.AssertRedirectError(refused, "stateInvalid", new string('s', 4097));
    }

    [Fact]
    public async Task Login_without_code_challenge_redirects_with_codeChallengeMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["code_challenge"] = null }));

        LoginAssertions.AssertRedirectError(page, "codeChallengeMissing", "st-123");
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("s256")]
    [InlineData(null)]
    public async Task Login_with_code_challenge_method_other_than_S256_redirects_with_codeChallengeInvalid(string? method)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, method: method));

        LoginAssertions.AssertRedirectError(page, "codeChallengeInvalid", "st-123");
    }

    [Theory]
    [InlineData(42)]
    [InlineData(44)]
    [InlineData(128)]
    public async Task Login_with_code_challenge_not_43_characters_redirects_with_codeChallengeInvalid(int length)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var challenge = new string('A', length);

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, challenge: challenge));

        LoginAssertions.AssertRedirectError(page, "codeChallengeInvalid", "st-123");
    }

    [Fact]
    public async Task Login_with_code_challenge_outside_base64url_redirects_with_codeChallengeInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var challenge = "+/" + LoginDriver.Challenge[2..];

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, challenge: challenge));

        LoginAssertions.AssertRedirectError(page, "codeChallengeInvalid", "st-123");
    }

    [Fact]
    public async Task Login_with_every_connection_disabled_redirects_with_connectionMissing()
    {
        var organization = await fixture.CreateOrganizationAsync(o =>
        {
            o.Connections.Email = false;
            o.Connections.Passkey = false;
        });
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        LoginAssertions.AssertRedirectError(page, "connectionMissing", "st-123");
    }

    [Fact]
    public async Task Error_redirect_keeps_the_query_of_the_redirect_uri()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, LoginServerFixture.Callback + "?return_to=%2Fdashboard", state: null));

        LoginAssertions.AssertRedirectError(page, "stateMissing", null);
        Assert.Equal("/dashboard", page.RedirectQuery["return_to"]);
    }

    [Fact]
    public async Task Email_submitted_when_the_email_connection_is_disabled_redirects_with_connectionMissing()
    {
        var organization = await fixture.CreateOrganizationAsync(o =>
        {
            o.Connections.Email = false;
            o.Connections.Passkey = true;
        });
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);

        var answer = await driver.SubmitEmailAsync(page, "nomail@example.com");

        LoginAssertions.AssertRedirectError(answer, "connectionMissing", "st-123");
        Assert.False(LoginAssertions.HasEmailTo(fixture, "nomail@example.com"));
    }

    [Fact]
    public async Task Blocked_user_submitting_email_redirects_with_noPermission()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await driver.SignInAsync(organization, "blocked@example.com");
        await fixture.Factory.WithDbAsync(db => db.Users
            .Where(u => u.OrganizationId == organization.Id && u.NormalizedEmail == "blocked@example.com")
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Blocked, true)));
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        var answer = await driver.SubmitEmailAsync(page, "Blocked@Example.com");

        LoginAssertions.AssertRedirectError(answer, "noPermission", "st-123");
    }

    [Fact]
    public async Task Unknown_user_when_user_creation_is_disabled_redirects_with_entityMissing()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.EnableUserCreation = false);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        var answer = await driver.SubmitEmailAsync(page, "stranger@example.com");

        LoginAssertions.AssertRedirectError(answer, "entityMissing", "st-123");
        Assert.False(LoginAssertions.HasEmailTo(fixture, "stranger@example.com"));
    }

    // --- Errors shown next to the email field.

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("ada@localhost")]
    [InlineData("Ada <ada@example.com>")]
    [InlineData("ada@example.com.")]
    [InlineData("   ")]
    public async Task Invalid_email_shows_an_error_on_the_page_with_400(string email)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        var answer = await driver.SubmitEmailAsync(page, email);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Response.StatusCode);
        Assert.Null(answer.Response.Headers.Location);
        Assert.NotNull(answer.Error);
        Assert.Contains("name=\"email\"", answer.Html);
        Assert.DoesNotContain("name=\"code\"", answer.Html);
    }

    [Fact]
    public async Task Email_post_without_anti_forgery_token_is_refused_and_sends_no_email()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        var response = await driver.Client.PostAsync("/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = page.RequestId,
            ["email"] = "csrf@example.com",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.False(LoginAssertions.HasEmailTo(fixture, "csrf@example.com"));
    }

    [Fact]
    public async Task Email_post_with_a_token_from_another_browser_is_refused_and_sends_no_email()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var victim = fixture.Driver();
        using var attacker = fixture.Driver();
        var attackerPage = await attacker.OpenAsync(LoginDriver.LoginUrl(organization));
        var victimPage = await victim.OpenAsync(LoginDriver.LoginUrl(organization));

        var response = await victim.Client.PostAsync("/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = victimPage.RequestId,
            ["__RequestVerificationToken"] = attackerPage.AntiforgeryToken,
            ["email"] = "csrf2@example.com",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(LoginAssertions.HasEmailTo(fixture, "csrf2@example.com"));
    }

    // --- What the app may pass to the page.

    [Fact]
    public async Task Email_query_parameter_prefills_the_email_field()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["email"] = "o'brien&co@example.com" }));
        var notAnAddress = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["email"] = "pre\"prefilled<b>" }));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        // The renderer encodes the apostrophe as a hexadecimal reference.
        Assert.Contains("value=\"o&#x27;brien&amp;co@example.com\"", page.Html);
        // Only an address is a hint worth showing.
        Assert.Equal(HttpStatusCode.OK, notAnAddress.Response.StatusCode);
        Assert.DoesNotContain("prefilled", notAnAddress.Html);
    }

    [Fact]
    public async Task Error_description_is_shown_on_the_page_encoded()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization,
            extra: new Dictionary<string, string?> { ["error_description"] = "Your session ended <b>now</b>" }));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains("Your session ended &lt;b&gt;now&lt;/b&gt;", page.Html);
        Assert.DoesNotContain("<b>now</b>", page.Html);
    }

    [Fact]
    public async Task Translations_change_the_label_of_the_email_field()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var translations = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"emailAddress":"Adresse e-mail"}"""));

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["translations"] = translations }));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains(">Adresse e-mail</label>", page.Html);
        Assert.DoesNotContain(">Email address</label>", page.Html);
    }

    [Theory]
    [InlineData("not base64 !!")]
    [InlineData("WzEsMl0")] // [1,2]
    [InlineData("eyJlbWFpbEFkZHJlc3MiOjV9")] // {"emailAddress":5}
    public async Task Malformed_translations_are_ignored(string translations)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["translations"] = translations }));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains(">Email address</label>", page.Html);
    }

    [Fact]
    public async Task Translations_with_null_values_never_break_the_code_step()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var translations = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"codeSent":null,"emailAddress":null,"linkSent":null}"""));
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["translations"] = translations }));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);

        var codePage = await driver.SubmitEmailAsync(page, "nulls@example.com");

        Assert.Equal(HttpStatusCode.OK, codePage.Response.StatusCode);
        Assert.Contains("name=\"code\"", codePage.Html);
    }

    [Fact]
    public async Task Embed_allows_framing_by_the_app_origin_only()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["embed"] = "1" }));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Equal(LoginServerFixture.AppOrigin, LoginAssertions.CspDirective(page.Response, "frame-ancestors"));
        Assert.False(page.Response.Headers.Contains("X-Frame-Options"));
    }

    [Fact]
    public async Task Normal_page_may_not_be_framed()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        Assert.Equal("'none'", LoginAssertions.CspDirective(page.Response, "frame-ancestors"));
        Assert.Equal("DENY", Assert.Single(page.Response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task Every_page_has_a_content_security_policy_and_is_not_cached()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var loginPage = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var invalidEmailPage = await driver.SubmitEmailAsync(loginPage, "nope");
        var codePage = await driver.SubmitEmailAsync(loginPage, "headers@example.com");
        var wrongCodePage = await driver.SubmitCodeAsync(codePage, "xxxxx");
        var errorPage = await driver.OpenAsync("/login");
        var redirect = await driver.OpenAsync(LoginDriver.LoginUrl(organization, state: null));

        foreach (var page in new[] { loginPage, invalidEmailPage, codePage, wrongCodePage, errorPage })
        {
            Assert.Contains("default-src 'none'", LoginAssertions.Csp(page.Response));
            Assert.True(page.Response.Headers.CacheControl?.NoStore, $"no-store missing on {page.Response.RequestMessage?.RequestUri}");
            Assert.Equal("text/html", page.Response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.Redirect, redirect.Response.StatusCode);
    }

    [Fact]
    public async Task Anti_forgery_cookie_is_http_only_and_same_site_strict()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        var cookie = Assert.Single(page.Response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("authserver.antiforgery=", StringComparison.Ordinal));
        var attributes = cookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
    }

    // --- Malformed requests never answer 500.

    [Fact]
    public async Task Email_post_that_is_not_a_form_is_refused_with_400()
    {
        using var driver = fixture.Driver();

        var json = await driver.Client.PostAsync("/login/email", new StringContent("""{"email":"a@example.com"}""", Encoding.UTF8, "application/json"));
        var empty = await driver.Client.PostAsync("/login/email", null);
        var garbage = await driver.Client.PostAsync("/login/email", new StringContent("%%%&&&===", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.True((int)garbage.StatusCode is >= 400 and < 500, $"got {(int)garbage.StatusCode}");
    }

    [Fact]
    public async Task Email_post_for_an_unknown_or_missing_request_shows_an_error_page()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        foreach (var request in new[] { Guid.NewGuid().ToString(), "not-a-guid", "" })
        {
            var response = await driver.Client.PostAsync("/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["request"] = request,
                ["__RequestVerificationToken"] = page.AntiforgeryToken,
                ["email"] = "lost@example.com",
            }));
            var html = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Contains("<code>entityMissing</code>", html);
        }

        Assert.False(LoginAssertions.HasEmailTo(fixture, "lost@example.com"));
    }

    [Fact]
    public async Task Login_with_a_huge_query_never_answers_500()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var huge = await driver.OpenAsync(LoginDriver.LoginUrl(organization, LoginServerFixture.Callback + "?x=" + new string('a', 3000)));
        var translations = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["translations"] = new string('A', 20_000) }));

        LoginAssertions.AssertErrorPage(huge, HttpStatusCode.BadRequest, "callbackUrlInvalid");
        LoginAssertions.AssertRedirectError(translations, "entityInvalid", "st-123");
    }
}

/// <summary>Assertions on the hosted page's answers shared by the login tests.</summary>
internal static class LoginAssertions
{
    public const string Issuer = AuthServerFactory.PublicBaseUrl + "/";

    /// <summary>The error page: the status, the code on the page, and no way back to the app.</summary>
    public static void AssertErrorPage(LoginDriver.LoginPage page, HttpStatusCode status, string errorCode) =>
        AssertErrorPage(page.Response, page.Html, status, errorCode);

    public static void AssertErrorPage(HttpResponseMessage response, string html, HttpStatusCode status, string errorCode)
    {
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {errorCode}, got {(int)response.StatusCode}: {html}");
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<code>{errorCode}</code>", html);
        Assert.DoesNotContain(LoginServerFixture.AppOrigin, html);
    }

    /// <summary>A redirect to the app's callback carrying error, state and iss.</summary>
    public static void AssertRedirectError(LoginDriver.LoginPage page, string errorCode, string? state)
    {
        Assert.True(page.Response.StatusCode == HttpStatusCode.Redirect,
            $"Expected a redirect with {errorCode}, got {(int)page.Response.StatusCode}: {page.Html}");
        var location = page.Response.Headers.Location!;
        Assert.StartsWith(LoginServerFixture.Callback, location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(errorCode, query["error"].ToString());
        // RFC 6749 §4.1.2.1: state comes back exactly when the request carried one.
        Assert.Equal(state, query.TryGetValue("state", out var returned) ? returned.ToString() : null);
        Assert.Equal(Issuer, query["iss"].ToString());
        Assert.False(string.IsNullOrWhiteSpace(query["error_description"].ToString()));
        Assert.False(query.ContainsKey("code"));
    }

    public static string Csp(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"));

    /// <summary>The value of one directive of the Content-Security-Policy header.</summary>
    public static string CspDirective(HttpResponseMessage response, string name) =>
        Csp(response).Split(';').Select(d => d.Trim()).Single(d => d.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..];

    public static bool HasEmailTo(LoginServerFixture fixture, string address) => EmailCount(fixture, address) > 0;

    /// <summary>How many emails the server wrote to its outbox for this address.</summary>
    public static int EmailCount(LoginServerFixture fixture, string address) => fixture.Outbox.CountTo(address);

    public static Task<int> UpdateAttemptAsync(LoginServerFixture fixture, Guid attemptId, Action<LoginAttempt> change) =>
        fixture.Factory.WithDbAsync(async db =>
        {
            var attempt = await db.LoginAttempts.SingleAsync(a => a.Id == attemptId);
            change(attempt);
            return await db.SaveChangesAsync();
        });
}
