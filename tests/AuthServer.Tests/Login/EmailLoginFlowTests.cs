using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Login;

public sealed class EmailLoginFlowTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Whole_flow_login_email_code_redirect_verify_userinfo_logout()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, LoginServerFixture.Callback + "?return_to=%2Fdashboard"));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains("Email address", page.Html);

        var codePage = await driver.SubmitEmailAsync(page, "Ada@Example.com");
        Assert.Contains("name=\"code\"", codePage.Html);
        var code = fixture.Outbox.LatestCodeFor("Ada@Example.com");
        Assert.Matches("^[0-9]{5}$", code);

        var done = await driver.SubmitCodeAsync(codePage, code);
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        var callback = done.Response.Headers.Location!;
        Assert.StartsWith(LoginServerFixture.Callback + "?return_to=", callback.ToString());
        Assert.Equal("/dashboard", done.RedirectQuery["return_to"]);
        Assert.Equal("st-123", done.RedirectQuery["state"]);
        Assert.Equal(AuthServerFactory.PublicBaseUrl + "/", done.RedirectQuery["iss"]);

        var verify = await driver.VerifyAsync(organization, done.RedirectQuery["code"]);
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var tokens = JsonDocument.Parse(await verify.Content.ReadAsStringAsync()).RootElement;
        Assert.True(tokens.GetProperty("expires_in").GetInt64() > 0);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(5, accessToken.Split('.').Length);

        var userInfo = await driver.UserInfoAsync(organization, accessToken);
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        var user = JsonDocument.Parse(await userInfo.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Ada@Example.com", user.GetProperty("email").GetString());
        Assert.True(user.GetProperty("verified").GetBoolean());
        Assert.False(user.GetProperty("blocked").GetBoolean());
        Assert.Equal(organization.ClientId, user.GetProperty("organizationId").GetString());
        Assert.StartsWith("https://www.gravatar.com/avatar/", user.GetProperty("gravatar").GetString());
        Assert.NotEqual(JsonValueKind.Null, user.GetProperty("lastLogin").ValueKind);

        var logout = await driver.LogoutAsync(organization, accessToken);
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        var again = await driver.LogoutAsync(organization, accessToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        await (await driver.UserInfoAsync(organization, accessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
    }
}
