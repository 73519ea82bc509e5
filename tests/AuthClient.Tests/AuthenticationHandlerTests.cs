using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.AuthClientTests.Infrastructure;

namespace AuthServer.AuthClientTests;

/// <summary>The authentication handler: [Authorize] / RequireAuthorization() with the user as claims.</summary>
[Collection(ClientCollection.Name)]
public sealed class AuthenticationHandlerTests(ClientFixture fixture)
{
    [Fact]
    public async Task A_protected_endpoint_without_a_session_is_401_with_tokenMissing()
    {
        using var browser = fixture.Browser();

        var response = await browser.GetAsync("/protected", accept: "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("tokenMissing", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/attribute")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/public")).StatusCode);
    }

    [Fact]
    public async Task A_browser_opening_a_protected_page_is_sent_to_login_and_back()
    {
        using var browser = fixture.Browser();

        var response = await browser.GetAsync("/protected?x=1", accept: "text/html,application/xhtml+xml");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/auth/login?return_to=%2Fprotected%3Fx%3D1", response.Headers.Location!.OriginalString);
        var callback = await browser.SignInToCallbackAsync("roundtrip@example.com", "?return_to=%2Fprotected%3Fx%3D1");
        Assert.Equal("/protected?x=1", (await browser.GetAsync(callback.ToString())).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/protected?x=1", accept: "text/html")).StatusCode);
    }

    [Fact]
    public async Task A_signed_in_user_gets_through_with_claims()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("claims@example.com");
        var user = (await (await browser.GetAsync("/api/auth/user")).Content.ReadFromJsonAsync<AuthUser>())!;

        var response = await browser.GetAsync("/protected");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = (await response.Content.ReadFromJsonAsync<ProtectedView>())!;
        Assert.Equal(user.Id, view.Sub);
        Assert.Equal(user.Id, view.NameIdentifier);
        Assert.Equal(user.Id, view.AuthUserId);
        Assert.Equal("claims@example.com", view.Email);
        Assert.Equal("claims@example.com", view.Name);
        Assert.Equal("true", view.EmailVerified);
        Assert.Equal(fixture.ClientId, view.OrganizationId);
        Assert.Equal(AuthClientDefaults.AuthenticationScheme, view.AuthenticationType);
        Assert.Equal("claims@example.com", await (await browser.GetAsync("/attribute")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_api_client_gets_through_with_a_bearer_token()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("apiclient@example.com");
        using var api = fixture.Browser();

        var response = await api.Http.SendAsync(api.Request(HttpMethod.Get, "/protected", bearer: browser.Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("apiclient@example.com", (await response.Content.ReadFromJsonAsync<ProtectedView>())!.Email);
    }

    [Fact]
    public async Task An_expired_session_is_401_with_its_code_and_the_cookie_is_dropped()
    {
        const string email = "handlerexpired@example.com";
        using var browser = fixture.Browser();
        await browser.SignInAsync(email);
        await fixture.UpdateSessionsOfAsync(email, s =>
        {
            s.Created = DateTimeOffset.UtcNow.AddDays(-365);
            return s;
        });

        var response = await browser.GetAsync("/protected", accept: "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("sessionExpired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
        Assert.Null(browser.Cookie(Browser.TokenCookie));
    }

    [Fact]
    public async Task After_logout_the_protected_endpoint_is_401_again()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("handlerlogout@example.com");
        var token = browser.Token;
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/protected")).StatusCode);

        await browser.GetAsync("/api/auth/logout");

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/protected")).StatusCode);
        var withOldToken = await browser.Http.SendAsync(browser.Request(HttpMethod.Get, "/protected", bearer: token));
        Assert.Equal(HttpStatusCode.Unauthorized, withOldToken.StatusCode);
        Assert.Equal("sessionInactive", (await withOldToken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
    }
}
