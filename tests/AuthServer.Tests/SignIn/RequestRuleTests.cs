using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AuthServer.Features.Login;
using AuthServer.Features.SignIn;
using AuthServer.Tests.CentralAuthApi;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.SignIn;

/// <summary>
/// Every rule of an authorization request, on both faces: one valid request, one mutation per case. Each case
/// says whether it is refused with a redirect to the app (and with which catalog errorCode on /login and which
/// RFC 6749 error on /connect/authorize) or on an error page (the client or redirect URI cannot be trusted).
/// No case may answer 5xx; the 500s of long state, long challenges and NUL bytes are regressions here.
/// </summary>
public sealed class RequestRuleTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    /// <summary>A mutation of the valid request: parameters replaced or removed (null), raw pairs appended as is.</summary>
    public sealed record Mutation(string Name, Dictionary<string, string?> Replace, string[] AppendRaw)
    {
        public override string ToString() => Name;
    }

    /// <summary>What a face must answer: accepted, a redirect with the error, or an error page with the status.</summary>
    /// <param name="StateReturned">Whether the redirect carries state (RFC 6749 §4.1.2.1: exactly as received, when it was sent once); null: not checked.</param>
    public sealed record Expected(bool Accepted, string? CentralAuthCode, string? OAuthError, bool ErrorPage = false, bool? StateReturned = true);

    private static Mutation Set(string name, string parameter, string? value) => new(name, new() { [parameter] = value }, []);
    private static Mutation Append(string name, params string[] raw) => new(name, [], raw);

    private static readonly Expected Ok = new(true, null, null);

    public static TheoryData<Mutation, Expected> Cases() => new()
    {
        { new Mutation("valid", [], []), Ok },
        { Set("state at 4096 characters", "state", new string('s', AuthorizationRequestLimits.State)), Ok },
        { Set("state missing", "state", null), new(false, "stateMissing", "invalid_request", StateReturned: false) },
        { Set("state over 4096 characters", "state", new string('s', AuthorizationRequestLimits.State + 1)), new(false, "stateInvalid", "invalid_request") },
        { Set("state with a NUL byte", "state", "ab\0cd"), new(false, "stateInvalid", "invalid_request") },
        { Set("state with a line break", "state", "ab\r\nSet-Cookie: x=1"), new(false, "stateInvalid", "invalid_request") },
        { new Mutation("state not valid UTF-8", new() { ["state"] = null }, ["state=ab%FFcd"]), new(false, "stateInvalid", "invalid_request", StateReturned: null) },
        { Append("state sent twice", "state=second"), new(false, "stateInvalid", "invalid_request", StateReturned: false) },
        { Set("challenge of 42 characters", "code_challenge", new string('a', 42)), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge of 44 characters", "code_challenge", new string('a', 44)), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge of 129 characters", "code_challenge", new string('a', 129)), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge with +", "code_challenge", "+" + new string('a', 42)), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge with /", "code_challenge", "/" + new string('a', 42)), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge with =", "code_challenge", new string('a', 42) + "="), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge with a space", "code_challenge", " " + new string('a', 42)), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("challenge missing", "code_challenge", null), new(false, "codeChallengeMissing", "invalid_request") },
        { Set("challenge method plain", "code_challenge_method", "plain"), new(false, "codeChallengeInvalid", "invalid_request") },
        { Set("response_type missing", "response_type", null), new(false, "entityInvalid", "invalid_request") },
        { Set("response_type token", "response_type", "token"), new(false, "entityInvalid", "unsupported_response_type") },
        { Set("request object", "request", "eyJhbGciOiJub25lIn0.e30."), new(false, "entityInvalid", "request_not_supported") },
        { Set("request_uri", "request_uri", "urn:example:request"), new(false, "entityInvalid", "request_uri_not_supported") },
        { Set("nonce over 512 characters", "nonce", new string('n', AuthorizationRequestLimits.Nonce + 1)), new(false, "entityInvalid", "invalid_request") },
        { Set("login_hint over 320 characters", "login_hint", new string('h', 310) + "@example.com"), new(false, "entityInvalid", "invalid_request") },
        { Set("an unknown parameter with a NUL byte", "x-extra", "a\0b"), new(false, "entityInvalid", "invalid_request") },
        { Append("redirect_uri sent twice", "redirect_uri=" + Uri.EscapeDataString(LoginServerFixture.Callback)), new(false, "callbackUrlInvalid", "invalid_request", ErrorPage: true) },
        { Append("client_id sent twice", "client_id=" + Guid.NewGuid()), new(false, "organizationIdMissing", "invalid_request", ErrorPage: true) },
        { Set("redirect_uri with a NUL byte", "redirect_uri", LoginServerFixture.Callback + "\0"), new(false, "callbackUrlInvalid", "invalid_request", ErrorPage: true) },
        { Set("redirect_uri elsewhere", "redirect_uri", "https://evil.example/cb"), new(false, "callbackUrlInvalid", "invalid_request", ErrorPage: true) },
        { Set("unknown client", "client_id", Guid.NewGuid().ToString()), new(false, "organizationIdMissing", null, ErrorPage: true) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CentralAuth_login_applies_the_rule(Mutation mutation, Expected expected)
    {
        var organization = await ClientAsync();
        using var driver = fixture.Driver();
        var query = Query(mutation, new()
        {
            ["client_id"] = organization.ClientId,
            ["redirect_uri"] = LoginServerFixture.Callback,
            ["response_type"] = "code",
            ["state"] = "st-123",
            ["code_challenge"] = LoginDriver.Challenge,
            ["code_challenge_method"] = "S256",
        });

        var response = await driver.Client.GetAsync("/login" + query);
        var html = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{mutation}: {(int)response.StatusCode} {html}");
        if (expected.Accepted)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{mutation}: {(int)response.StatusCode} {html}");
            Assert.Contains("name=\"request\"", html);
        }
        else if (expected.ErrorPage)
        {
            Login.LoginAssertions.AssertErrorPage(response, html, HttpStatusCode.BadRequest, expected.CentralAuthCode!);
        }
        else
        {
            AssertRedirect(response, expected.CentralAuthCode!, ReturnedState(mutation, expected));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OpenIdConnect_authorize_applies_the_rule(Mutation mutation, Expected expected)
    {
        var organization = await ClientAsync();
        using var driver = fixture.Driver();
        var query = Query(mutation, new()
        {
            ["client_id"] = organization.ClientId,
            ["redirect_uri"] = LoginServerFixture.Callback,
            ["response_type"] = "code",
            ["scope"] = "openid email",
            ["state"] = "st-123",
            ["nonce"] = "n-0S6_WzA2Mj",
            ["code_challenge"] = LoginDriver.Challenge,
            ["code_challenge_method"] = "S256",
        });

        var response = await driver.Client.GetAsync("/connect/authorize" + query);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode < 500, $"{mutation}: {(int)response.StatusCode} {body}");
        if (expected.Accepted)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{mutation}: {(int)response.StatusCode} {body}");
            Assert.StartsWith("/login/resume?request=", response.Headers.Location!.ToString());
        }
        else if (expected.ErrorPage)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{mutation}: {(int)response.StatusCode} {body}");
            Assert.Null(response.Headers.Location);
            // OpenIddict's own wording for an unknown client; ours for the rest.
            Assert.Contains($"<code>{expected.OAuthError ?? "invalid_"}", body);
        }
        else
        {
            AssertRedirect(response, expected.OAuthError!, ReturnedState(mutation, expected));
        }
    }

    [Fact]
    public async Task Login_hint_on_authorize_opens_the_page_with_the_address_filled_in()
    {
        var organization = await ClientAsync();
        using var driver = fixture.Driver();

        var authorize = await driver.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["login_hint"] = "ada@example.com" }));
        var page = await driver.OpenAsync(authorize.Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains("value=\"ada@example.com\"", page.Html);
    }

    [Fact]
    public async Task A_completed_request_cannot_be_used_again_from_its_page()
    {
        var organization = await ClientAsync();
        using var driver = fixture.Driver();
        var email = $"once-{Guid.NewGuid():N}@example.com";
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await driver.SubmitEmailAsync(page, email);
        var signedIn = await driver.SubmitCodeAsync(codePage, fixture.Outbox.LatestCodeFor(email));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Response.StatusCode);

        var resumed = await driver.OpenAsync("/login/resume?request=" + page.RequestId);
        var again = await driver.SubmitEmailAsync(page, email);

        Login.LoginAssertions.AssertErrorPage(resumed, HttpStatusCode.NotFound, "entityMissing");
        Login.LoginAssertions.AssertErrorPage(again, HttpStatusCode.NotFound, "entityMissing");
    }

    [Theory]
    [InlineData("state over 4096 characters", "stateInvalid")]
    [InlineData("state with a NUL byte", "stateInvalid")]
    [InlineData("email with a NUL byte", "entityInvalid")]
    [InlineData("redirect_uri with a NUL byte", "callbackUrlInvalid")]
    public async Task Authenticate_direct_applies_the_same_rules(string mutation, string errorCode)
    {
        var organization = await ClientAsync();
        using var driver = fixture.Driver();
        var body = new Dictionary<string, string>
        {
            ["email"] = $"direct-{Guid.NewGuid():N}@example.com",
            ["state"] = "st-123",
            ["redirect_uri"] = LoginServerFixture.Callback,
        };
        switch (mutation)
        {
            case "state over 4096 characters": body["state"] = new string('s', AuthorizationRequestLimits.State + 1); break;
            case "state with a NUL byte": body["state"] = "a\0b"; break;
            case "email with a NUL byte": body["email"] = "a\0b@example.com"; break;
            case "redirect_uri with a NUL byte": body["redirect_uri"] = LoginServerFixture.Callback + "\0"; break;
        }

        var response = await PostDirectAsync(driver, organization.Basic, body);

        await ErrorAssertions.AssertErrorAsync(response, HttpStatusCode.BadRequest, errorCode);
    }

    [Fact]
    public async Task Authenticate_direct_accepts_a_4096_character_state()
    {
        var organization = await ClientAsync();
        using var driver = fixture.Driver();

        var response = await PostDirectAsync(driver, organization.Basic, new()
        {
            ["email"] = $"direct-{Guid.NewGuid():N}@example.com",
            ["state"] = new string('s', AuthorizationRequestLimits.State),
            ["redirect_uri"] = LoginServerFixture.Callback,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<TestOrganization> ClientAsync() => fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

    private static Task<HttpResponseMessage> PostDirectAsync(LoginDriver driver, AuthenticationHeaderValue authorization, Dictionary<string, string> body) =>
        ApiFlows.PostAsync(driver, authorization, "/api/v1/authenticate_direct",
            new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    /// <summary>The valid parameters with the mutation applied, percent-encoded, plus the raw pairs appended.</summary>
    private static string Query(Mutation mutation, Dictionary<string, string?> valid)
    {
        foreach (var (name, value) in mutation.Replace)
        {
            valid[name] = value;
        }

        var pairs = valid.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}").Concat(mutation.AppendRaw);
        return "?" + string.Join('&', pairs);
    }

    /// <summary>The state the redirect must carry: the one sent (mutated or not), none, or "don't check" (a sentinel).</summary>
    private static string? ReturnedState(Mutation mutation, Expected expected) => expected.StateReturned switch
    {
        null => NotChecked,
        false => null,
        true => mutation.Replace.TryGetValue("state", out var sent) ? sent : "st-123",
    };

    private const string NotChecked = "\u0001not-checked";

    private static void AssertRedirect(HttpResponseMessage response, string error, string? state)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect with {error}, got {(int)response.StatusCode}");
        var location = response.Headers.Location!;
        Assert.StartsWith(LoginServerFixture.Callback, location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(error, query["error"].ToString());
        Assert.False(string.IsNullOrWhiteSpace(query["error_description"].ToString()));
        Assert.Equal(Login.LoginAssertions.Issuer, query["iss"].ToString());
        if (state != NotChecked)
        {
            Assert.Equal(state, query.TryGetValue("state", out var returned) ? returned.ToString() : null);
        }

        Assert.False(query.ContainsKey("code"));
    }
}
