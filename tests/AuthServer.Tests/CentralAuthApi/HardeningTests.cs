using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Sessions;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.CentralAuthApi;

/// <summary>Malformed or hostile inputs that must end in the catalog's answer, never a 500.</summary>
public sealed class HardeningTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Redirect_uri_with_control_characters_is_callbackUrlInvalid_without_redirect()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, LoginServerFixture.AppOrigin + "/cb\r\nX-Injected: 1"));

        Assert.Equal(HttpStatusCode.BadRequest, page.Response.StatusCode);
        Assert.Null(page.Response.Headers.Location);
        Assert.Contains("callbackUrlInvalid", page.Html);
    }

    [Fact]
    public async Task Verify_with_an_unreadable_multipart_body_is_entityInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify") { Content = new StringContent("code=x") };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");
        request.Headers.Authorization = organization.Basic;

        var response = await driver.Client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
    }

    [Fact]
    public async Task Token_with_a_claim_of_the_wrong_type_is_tokenInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var forged = CentralAuthTokens.Encrypt(new JsonObject { ["aud"] = 42, ["sessionId"] = true, ["exp"] = "soon" }, organization.Secret);

        var response = await driver.UserInfoAsync(organization, forged);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Session_is_bound_to_the_first_device_id_an_app_presents()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.CheckDeviceId = true);
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "device-tofu@example.com");

        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken, deviceId: "phone-1")).StatusCode);
        await (await driver.UserInfoAsync(organization, tokens.AccessToken, deviceId: "phone-2")).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInvalid");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken, deviceId: "phone-1")).StatusCode);
    }

    [Fact]
    public async Task Second_attempt_on_a_completed_login_page_cannot_complete_it_again()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var firstCodePage = await driver.SubmitEmailAsync(page, "twice-a@example.com");
        var firstCode = fixture.Outbox.LatestCodeFor("twice-a@example.com");
        var secondCodePage = await driver.SubmitEmailAsync(page, "twice-b@example.com");
        var secondCode = fixture.Outbox.LatestCodeFor("twice-b@example.com");

        var first = await driver.SubmitCodeAsync(firstCodePage, firstCode);
        var second = await driver.SubmitCodeAsync(secondCodePage, secondCode);

        Assert.Equal(HttpStatusCode.Redirect, first.Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.Response.StatusCode);
        Assert.Null(second.Response.Headers.Location);
    }

    [Theory]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("not-an-ip", "not-an-ip")]
    public void Ip_addresses_have_one_spelling(string given, string normalized) =>
        Assert.Equal(normalized, ClientContext.NormalizeIp(given));
}
