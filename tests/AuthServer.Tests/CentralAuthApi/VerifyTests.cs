using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AuthServer.Features.Login;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.CentralAuthApi;

/// <summary>POST /api/v1/verify: client authentication, fields, PKCE, redirect_uri, single use, lifetime.</summary>
public sealed class VerifyTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Verify_without_authorization_is_tokenMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "noauth@example.com");

        var response = await driver.Client.PostAsync("/api/v1/verify", ApiFlows.VerifyForm(code));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Fact]
    public async Task Verify_with_a_wrong_secret_is_clientCredentialsInvalid_not_the_code_error()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "badsecret@example.com");

        var response = await driver.VerifyAsync(organization with { Secret = new string('x', 32) }, code);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
        // A rejected client does not spend the code.
        Assert.Equal(HttpStatusCode.OK, (await driver.VerifyAsync(organization, code)).StatusCode);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!not-base64!!!")]
    [InlineData("Basic bm8tY29sb24")] // "no-colon"
    public async Task Verify_with_malformed_credentials_is_clientCredentialsInvalid(string authorization)
    {
        using var driver = fixture.Driver();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify") { Content = ApiFlows.VerifyForm("x") };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await driver.Client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
    }

    [Fact]
    public async Task Verify_with_an_unknown_client_id_is_organizationIdMissing()
    {
        using var driver = fixture.Driver();
        var unknown = new TestOrganization(Guid.NewGuid(), new string('s', 32));

        var response = await driver.VerifyAsync(unknown, "some-code");

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "organizationIdMissing");
    }

    [Fact]
    public async Task Verify_with_an_empty_secret_is_tokenMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await driver.VerifyAsync(organization with { Secret = "" }, "some-code");

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Fact]
    public async Task Verify_without_code_is_missingFields_with_its_location()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await ApiFlows.PostVerifyAsync(driver, organization, new MultipartFormDataContent
        {
            { new StringContent(LoginServerFixture.Callback), "redirect_uri" },
            { new StringContent(LoginDriver.Verifier), "code_verifier" },
        });

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        Assert.Equal(["code"], ApiFlows.Locations(body));
    }

    [Fact]
    public async Task Verify_without_redirect_uri_is_missingFields_with_its_location()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await ApiFlows.PostVerifyAsync(driver, organization, new MultipartFormDataContent
        {
            { new StringContent("some-code"), "code" },
            { new StringContent(LoginDriver.Verifier), "code_verifier" },
        });

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        Assert.Equal(["redirect_uri"], ApiFlows.Locations(body));
    }

    [Fact]
    public async Task Verify_with_an_empty_or_non_form_body_is_missingFields()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var empty = await ApiFlows.PostVerifyAsync(driver, organization, new FormUrlEncodedContent(new Dictionary<string, string>()));
        var json = await ApiFlows.PostVerifyAsync(driver, organization, new StringContent("""{"code":"x"}""", Encoding.UTF8, "application/json"));
        var none = await ApiFlows.PostVerifyAsync(driver, organization, null);

        var emptyBody = await empty.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        Assert.Contains("code", ApiFlows.Locations(emptyBody));
        Assert.Contains("redirect_uri", ApiFlows.Locations(emptyBody));
        await json.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        await none.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
    }

    [Fact]
    public async Task Verify_accepts_a_urlencoded_body()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "urlencoded@example.com");

        var response = await ApiFlows.PostVerifyAsync(driver, organization, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["code"] = code,
            ["redirect_uri"] = LoginServerFixture.Callback,
            ["code_verifier"] = LoginDriver.Verifier,
        }));

        var tokens = await ApiFlows.AssertTokensAsync(response);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Verify_with_an_unknown_code_is_tokenInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await driver.VerifyAsync(organization, LoginSecrets.NewToken());

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Verify_with_a_wrong_verifier_is_codeChallengeInvalid_and_spends_the_code()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "wrongverifier@example.com");

        var response = await driver.VerifyAsync(organization, code, verifier: "x" + LoginDriver.Verifier[1..]);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "codeChallengeInvalid");
        await (await driver.VerifyAsync(organization, code)).AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Verify_without_verifier_for_a_browser_login_is_codeChallengeInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "noverifier@example.com");

        var response = await ApiFlows.PostVerifyAsync(driver, organization, new MultipartFormDataContent
        {
            { new StringContent(code), "code" },
            { new StringContent(LoginServerFixture.Callback), "redirect_uri" },
        });

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "codeChallengeInvalid");
    }

    [Theory]
    [InlineData(LoginServerFixture.AppOrigin + "/api/auth/other")]
    [InlineData(LoginServerFixture.AppOrigin + "/api/auth/callback/")]
    [InlineData(LoginServerFixture.AppOrigin + "/")]
    [InlineData("https://other.example.com/api/auth/callback")]
    public async Task Verify_with_a_redirect_uri_differing_in_path_or_origin_is_callbackUrlInvalid(string redirectUri)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "otherpath@example.com");

        var response = await driver.VerifyAsync(organization, code, redirectUri);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "callbackUrlInvalid");
    }

    [Fact]
    public async Task Verify_with_a_redirect_uri_differing_only_by_query_succeeds()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "returnto@example.com",
            LoginDriver.LoginUrl(organization, LoginServerFixture.Callback + "?return_to=%2Fsettings%3Ftab%3D2"));

        var response = await driver.VerifyAsync(organization, code, LoginServerFixture.Callback);

        await ApiFlows.AssertTokensAsync(response);
    }

    [Fact]
    public async Task Code_used_twice_is_tokenInvalid_and_ends_the_first_session()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "replay@example.com");
        var first = await ApiFlows.AssertTokensAsync(await driver.VerifyAsync(organization, code));
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, first.AccessToken)).StatusCode);

        var second = await driver.VerifyAsync(organization, code);

        await second.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        await (await driver.UserInfoAsync(organization, first.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
    }

    [Fact]
    public async Task Expired_code_is_tokenInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "expiredcode@example.com");
        await fixture.Factory.WithDbAsync(db => db.AuthorizationCodes.Where(c => c.OrganizationId == organization.Id)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var response = await driver.VerifyAsync(organization, code);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Uuid_verifier_of_the_CentralAuth_client_is_accepted()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var verifier = Guid.NewGuid().ToString();
        Assert.Equal(36, verifier.Length);
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "uuid@example.com",
            LoginDriver.LoginUrl(organization, challenge: Pkce.ChallengeOf(verifier)));

        var response = await driver.VerifyAsync(organization, code, verifier: verifier);

        await ApiFlows.AssertTokensAsync(response);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(129)]
    public async Task Verifier_outside_32_to_128_characters_is_codeChallengeInvalid_even_when_it_matches(int length)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var verifier = new string('v', length);
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, $"verifier{length}@example.com",
            LoginDriver.LoginUrl(organization, challenge: Pkce.ChallengeOf(verifier)));

        var response = await driver.VerifyAsync(organization, code, verifier: verifier);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "codeChallengeInvalid");
    }

    [Fact]
    public async Task Verifier_outside_the_unreserved_characters_is_codeChallengeInvalid_even_when_it_matches()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var verifier = new string('v', 40) + "+/=";
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "verifierchars@example.com",
            LoginDriver.LoginUrl(organization, challenge: Pkce.ChallengeOf(verifier)));

        var response = await driver.VerifyAsync(organization, code, verifier: verifier);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "codeChallengeInvalid");
    }

    [Fact]
    public async Task Code_of_one_organization_at_another_organizations_verify_is_tokenInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "crossorg@example.com");

        var response = await driver.VerifyAsync(other, code);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        // The other organization's attempt did not spend it.
        await ApiFlows.AssertTokensAsync(await driver.VerifyAsync(organization, code));
    }

    [Fact]
    public async Task Verified_tokens_are_jwe_for_the_organization_secret()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "jwe@example.com");

        var tokens = await ApiFlows.AssertTokensAsync(await driver.VerifyAsync(organization, code));

        var claims = AuthServer.Features.CentralAuthApi.CentralAuthTokens.Decrypt(tokens.AccessToken, [organization.Secret]);
        Assert.NotNull(claims);
        Assert.Equal(organization.ClientId, claims["aud"]!.GetValue<string>());
        Assert.Null(AuthServer.Features.CentralAuthApi.CentralAuthTokens.Decrypt(tokens.AccessToken, [new string('x', 32)]));
        var session = await fixture.Factory.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.OrganizationId == organization.Id));
        Assert.Equal(session.Id.ToString(), claims["sessionId"]!.GetValue<string>());
        Assert.NotNull(session.VerifiedAt);
    }
}

/// <summary>What the tests of the CentralAuth-style API do as the app: sign a user in, exchange the code.</summary>
internal static class ApiFlows
{
    /// <summary>The browser part of a login; returns the code the app receives on its callback.</summary>
    public static async Task<string> SignInForCodeAsync(LoginDriver driver, TestOrganization organization, string email, string? url = null)
    {
        var callback = await driver.SignInAsync(organization, email, url);
        var code = QueryHelpers.ParseQuery(callback.Query)["code"].ToString();
        Assert.False(string.IsNullOrEmpty(code));
        return code;
    }

    public static MultipartFormDataContent VerifyForm(string code, string redirectUri = LoginServerFixture.Callback, string verifier = LoginDriver.Verifier) => new()
    {
        { new StringContent(code), "code" },
        { new StringContent(redirectUri), "redirect_uri" },
        { new StringContent(verifier), "code_verifier" },
    };

    public static Task<HttpResponseMessage> PostVerifyAsync(LoginDriver driver, TestOrganization organization, HttpContent? content) =>
        PostAsync(driver, organization.Basic, "/api/v1/verify", content);

    public static Task<HttpResponseMessage> PostAsync(LoginDriver driver, AuthenticationHeaderValue? authorization, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = authorization;
        return driver.Client.SendAsync(request);
    }

    public static async Task<LoginDriver.Tokens> AssertTokensAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        var json = JsonDocument.Parse(text).RootElement;
        Assert.True(json.GetProperty("expires_in").GetInt64() > 0);
        return new LoginDriver.Tokens(json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!);
    }

    /// <summary>A signed-in user's tokens: login page, code, verify.</summary>
    public static async Task<LoginDriver.Tokens> SignInAndVerifyAsync(LoginDriver driver, TestOrganization organization, string email) =>
        await AssertTokensAsync(await driver.VerifyAsync(organization, await SignInForCodeAsync(driver, organization, email)));

    public static string[] Locations(JsonElement errorBody) =>
        errorBody.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("location").GetString()!).ToArray();
}
