using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Connect;

public sealed class AuthorizationCodeFlowTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private Task<TestOrganization> ClientAsync() => fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    [Fact]
    public async Task Code_flow_returns_code_state_and_iss_then_tokens_with_the_expected_claims()
    {
        var organization = await ClientAsync();
        var oidc = Driver();

        var callback = await oidc.SignInAsync(OidcDriver.AuthorizeUrl(organization), "oidc-ada@example.com");
        var query = QueryHelpers.ParseQuery(callback.Headers.Location!.Query);
        Assert.StartsWith(LoginServerFixture.Callback, callback.Headers.Location.ToString());
        Assert.Equal("oidc-state", query["state"]);
        Assert.Equal(AuthServerFactory.PublicBaseUrl + "/", query["iss"]);

        var response = await oidc.RedeemAsync(organization, query["code"]!);
        var tokens = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(tokens.TryGetProperty("refresh_token", out _));

        var id = new JwtSecurityTokenHandler().ReadJwtToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal("oidc-ada@example.com", id.Claims.Single(c => c.Type == "email").Value);
        Assert.Equal("true", id.Claims.Single(c => c.Type == "email_verified").Value);
        Assert.Equal("n-0S6_WzA2Mj", id.Claims.Single(c => c.Type == "nonce").Value);
        Assert.Equal(organization.ClientId, id.Audiences.Single());
        Assert.Equal("otp", id.Claims.Single(c => c.Type == "amr").Value);
        Assert.True(long.Parse(id.Claims.Single(c => c.Type == "auth_time").Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        var sid = id.Claims.Single(c => c.Type == "sid").Value;
        Assert.True(Guid.TryParse(sid, out _));

        // The access token is a plain JWT a resource server can validate, naming the same session.
        var access = new JwtSecurityTokenHandler().ReadJwtToken(tokens.GetProperty("access_token").GetString());
        Assert.Equal(sid, access.Claims.Single(c => c.Type == "sid").Value);
        Assert.Equal(id.Subject, access.Subject);

        var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfoRequest.Headers.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        var userInfo = JsonDocument.Parse(await (await oidc.Client.SendAsync(userInfoRequest)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(id.Subject, userInfo.GetProperty("sub").GetString());
        Assert.Equal("oidc-ada@example.com", userInfo.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Existing_session_signs_in_without_asking_again_and_prompt_none_works_only_with_one()
    {
        var organization = await ClientAsync();
        var oidc = Driver();

        var none = await oidc.FollowAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["prompt"] = "none" }));
        Assert.Equal("login_required", QueryHelpers.ParseQuery(none.Headers.Location!.Query)["error"]);

        await oidc.CodeAsync(organization, "sso@example.com");

        var again = await oidc.FollowAsync(OidcDriver.AuthorizeUrl(organization, state: "second"));
        Assert.StartsWith(LoginServerFixture.Callback, again.Headers.Location!.ToString());
        Assert.True(QueryHelpers.ParseQuery(again.Headers.Location.Query).ContainsKey("code"));

        var silent = await oidc.FollowAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["prompt"] = "none" }));
        Assert.True(QueryHelpers.ParseQuery(silent.Headers.Location!.Query).ContainsKey("code"));
    }

    [Fact]
    public async Task Prompt_login_and_exceeded_max_age_show_the_login_page_despite_a_session()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        await oidc.CodeAsync(organization, "fresh@example.com");
        await fixture.Factory.WithDbAsync(async db =>
        {
            var session = db.Sessions.Single(s => s.User!.Email == "fresh@example.com");
            session.Created = session.Created.AddMinutes(-10);
            return await db.SaveChangesAsync();
        });

        var login = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["prompt"] = "login" }));
        var maxAge = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["max_age"] = "60" }));
        var withinMaxAge = await oidc.FollowAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["max_age"] = "3600" }));

        Assert.StartsWith("/login/resume", login.Headers.Location!.ToString());
        Assert.StartsWith("/login/resume", maxAge.Headers.Location!.ToString());
        Assert.True(QueryHelpers.ParseQuery(withinMaxAge.Headers.Location!.Query).ContainsKey("code"));

        // After the fresh login the flow completes (prompt=login is not asked again in a loop).
        var relogin = await oidc.SignInAsync(OidcDriver.AuthorizeUrl(organization, extra: new Dictionary<string, string?> { ["prompt"] = "login" }), "fresh@example.com");
        Assert.True(QueryHelpers.ParseQuery(relogin.Headers.Location!.Query).ContainsKey("code"));
    }

    [Fact]
    public async Task Blocked_user_is_sent_back_with_access_denied()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        await oidc.CodeAsync(organization, "blocked-oidc@example.com");
        await fixture.Factory.WithDbAsync(async db =>
        {
            db.Users.Single(u => u.NormalizedEmail == "blocked-oidc@example.com").Blocked = true;
            return await db.SaveChangesAsync();
        });
        var other = Driver();

        var toPage = await other.Client.GetAsync(OidcDriver.AuthorizeUrl(organization));
        var login = fixture.Driver();
        var page = await login.OpenAsync(toPage.Headers.Location!.ToString());
        var refused = await login.SubmitEmailAsync(page, "blocked-oidc@example.com");

        Assert.Equal(HttpStatusCode.Redirect, refused.Response.StatusCode);
        Assert.Equal("access_denied", refused.RedirectQuery["error"]);
        Assert.Equal("oidc-state", refused.RedirectQuery["state"]);
    }
}
