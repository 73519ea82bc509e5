using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.CentralAuthApi;

/// <summary>POST /api/v1/authenticate_direct: the emailed link without the login page, and its errors.</summary>
public sealed class AuthenticateDirectTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private const string Path = "/api/v1/authenticate_direct";

    [Fact]
    public async Task Authenticate_direct_emails_a_link_that_leads_to_a_code_verify_accepts_without_verifier()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, organization.Basic,
            $$"""{"email":"direct@example.com","state":"st-direct","redirect_uri":"{{LoginServerFixture.Callback}}?return_to=%2Fhome"}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        var attemptId = Guid.Parse(body.GetProperty("loginAttemptId").GetString()!);
        Assert.True(body.GetProperty("allowedDate").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.True(await fixture.Factory.WithDbAsync(db => db.LoginAttempts.AnyAsync(a => a.Id == attemptId && a.OrganizationId == organization.Id)));

        var link = fixture.Outbox.LatestLinkFor("direct@example.com");
        Assert.Contains(attemptId.ToString(), link);
        var followed = await driver.FollowLinkAsync(link);

        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        var location = followed.Headers.Location!;
        Assert.StartsWith(LoginServerFixture.Callback + "?return_to=", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("st-direct", query["state"].ToString());
        Assert.Equal(AuthServerFactory.PublicBaseUrl + "/", query["iss"].ToString());
        var code = query["code"].ToString();
        Assert.False(string.IsNullOrEmpty(code));

        var verify = await ApiFlows.PostVerifyAsync(driver, organization, new MultipartFormDataContent
        {
            { new StringContent(code), "code" },
            { new StringContent(LoginServerFixture.Callback), "redirect_uri" },
        });
        var tokens = await ApiFlows.AssertTokensAsync(verify);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Authenticate_direct_translations_word_the_email_as_a_json_object_or_in_base64(bool base64)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        const string overrides = """{"emailIgnore":"Not you? Tell the help desk.","emailAddress":null}""";
        var translations = base64 ? JsonSerializer.Serialize(Convert.ToBase64String(Encoding.UTF8.GetBytes(overrides))) : overrides;
        var address = $"direct-words-{base64}@example.com".ToLowerInvariant();

        var response = await PostJsonAsync(driver, organization.Basic,
            $$"""{"email":"{{address}}","state":"st","redirect_uri":"{{LoginServerFixture.Callback}}","translations":{{translations}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var email = fixture.Outbox.LatestTo(address);
        Assert.Contains("Not you? Tell the help desk.", email.TextBody);
        Assert.DoesNotContain("If you did not try to sign in, ignore this email.", email.TextBody);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"not base64 !\"")]
    [InlineData("[\"a\"]")]
    public async Task Authenticate_direct_ignores_translations_it_cannot_read(string translations)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var address = $"direct-unread-{Guid.NewGuid():N}@example.com";

        var response = await PostJsonAsync(driver, organization.Basic,
            $$"""{"email":"{{address}}","state":"st","redirect_uri":"{{LoginServerFixture.Callback}}","translations":{{translations}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("If you did not try to sign in, ignore this email.", fixture.Outbox.LatestTo(address).TextBody);
    }

    [Fact]
    public async Task Authenticate_direct_with_oversized_translations_is_entityInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var huge = JsonSerializer.Serialize(new Dictionary<string, string> { ["emailIgnore"] = new string('x', 20_000) });

        var response = await PostJsonAsync(driver, organization.Basic,
            $$"""{"email":"direct-huge@example.com","state":"st","redirect_uri":"{{LoginServerFixture.Callback}}","translations":{{huge}}}""");

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
    }

    [Fact]
    public async Task Authenticate_direct_code_is_single_use()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await DirectCodeAsync(driver, organization, "direct-once@example.com");
        var form = () => new MultipartFormDataContent
        {
            { new StringContent(code), "code" },
            { new StringContent(LoginServerFixture.Callback), "redirect_uri" },
        };
        await ApiFlows.AssertTokensAsync(await ApiFlows.PostVerifyAsync(driver, organization, form()));

        var again = await ApiFlows.PostVerifyAsync(driver, organization, form());

        await again.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Authenticate_direct_with_missing_fields_is_missingFields_with_details()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var empty = await PostJsonAsync(driver, organization.Basic, "{}");
        var blanks = await PostJsonAsync(driver, organization.Basic, """{"email":" ","state":"","redirect_uri":null}""");
        var onlyEmail = await PostJsonAsync(driver, organization.Basic, """{"email":"x@example.com"}""");

        foreach (var response in new[] { empty, blanks })
        {
            var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
            Assert.Equal(["email", "redirect_uri", "state"], ApiFlows.Locations(body).Order());
        }

        var partial = await onlyEmail.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        Assert.Equal(["redirect_uri", "state"], ApiFlows.Locations(partial).Order());
    }

    [Theory]
    [InlineData("""{"email": 5""")]
    [InlineData("""{"email": 5, "state":"x", "redirect_uri":"https://app.example.com/api/auth/callback"}""")]
    [InlineData("""{"email": ["a@example.com"], "state":"x", "redirect_uri":"https://app.example.com/api/auth/callback"}""")]
    [InlineData("""not json at all""")]
    [InlineData("""[1,2,3]""")]
    public async Task Authenticate_direct_with_malformed_or_mistyped_json_is_entityInvalid(string json)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, organization.Basic, json);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
    }

    [Fact]
    public async Task Authenticate_direct_with_an_invalid_email_is_entityInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, organization.Basic, Body("not-an-email"));

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        Assert.Equal(["email"], ApiFlows.Locations(body));
    }

    [Theory]
    [InlineData("https://evil.example.com/api/auth/callback")]
    [InlineData("http://localhost:3000/api/auth/callback")]
    [InlineData("not a url")]
    [InlineData("https://app.example.com/api/auth/callback#x")]
    public async Task Authenticate_direct_with_a_redirect_uri_not_whitelisted_is_callbackUrlInvalid(string redirectUri)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, organization.Basic, Body("evilredirect@example.com", redirectUri: redirectUri));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "callbackUrlInvalid");
        Assert.False(HasEmailTo("evilredirect@example.com"));
    }

    [Fact]
    public async Task Authenticate_direct_without_credentials_is_tokenMissing()
    {
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, null, Body("noauth-direct@example.com"));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        Assert.False(HasEmailTo("noauth-direct@example.com"));
    }

    [Fact]
    public async Task Authenticate_direct_with_a_wrong_secret_is_clientCredentialsInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, (organization with { Secret = new string('z', 32) }).Basic, Body("badsecret-direct@example.com"));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
        Assert.False(HasEmailTo("badsecret-direct@example.com"));
    }

    [Fact]
    public async Task Authenticate_direct_for_an_unknown_user_when_creation_is_disabled_is_entityMissing()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.EnableUserCreation = false);
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, organization.Basic, Body("stranger-direct@example.com"));

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        Assert.False(HasEmailTo("stranger-direct@example.com"));
    }

    [Fact]
    public async Task Authenticate_direct_when_the_email_connection_is_disabled_is_connectionMissing()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Connections.Email = false);
        using var driver = fixture.Driver();

        var response = await PostJsonAsync(driver, organization.Basic, Body("noconnection-direct@example.com"));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "connectionMissing");
    }

    [Fact]
    public async Task Authenticate_direct_for_a_blocked_user_is_noPermission()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await DirectCodeAsync(driver, organization, "blocked-direct@example.com");
        await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.OrganizationId == organization.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Blocked, true)));

        var response = await PostJsonAsync(driver, organization.Basic, Body("blocked-direct@example.com"));

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Fact]
    public async Task Authenticate_direct_with_a_non_json_content_type_never_answers_500()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(Body("plain@example.com"), Encoding.UTF8, "text/plain") };
        request.Headers.Authorization = organization.Basic;
        var response = await driver.Client.SendAsync(request);
        var huge = await PostJsonAsync(driver, organization.Basic, Body(new string('a', 100_000) + "@example.com"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        // Over the 64 KB body limit: refused unread.
        await huge.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "entityTooLarge");
    }

    private async Task<string> DirectCodeAsync(LoginDriver driver, TestOrganization organization, string email)
    {
        var response = await PostJsonAsync(driver, organization.Basic, Body(email));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var followed = await driver.FollowLinkAsync(fixture.Outbox.LatestLinkFor(email));
        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        return QueryHelpers.ParseQuery(followed.Headers.Location!.Query)["code"].ToString();
    }

    private bool HasEmailTo(string address) => Login.LoginAssertions.HasEmailTo(fixture, address);

    private static string Body(string email, string state = "st-direct", string redirectUri = LoginServerFixture.Callback) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["email"] = email, ["state"] = state, ["redirect_uri"] = redirectUri });

    private static Task<HttpResponseMessage> PostJsonAsync(LoginDriver driver, AuthenticationHeaderValue? authorization, string json) =>
        ApiFlows.PostAsync(driver, authorization, Path, new StringContent(json, Encoding.UTF8, "application/json"));
}
