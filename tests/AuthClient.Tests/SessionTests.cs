using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.AuthClientTests.Infrastructure;

namespace AuthServer.AuthClientTests;

/// <summary>Sessions that end: expiry, logout (here and session-wide), another user on affirm, forged tokens.</summary>
[Collection(ClientCollection.Name)]
public sealed class SessionTests(ClientFixture fixture)
{
    private static readonly EndUserContext EndUser = new("127.0.0.1", ClientFixture.UserAgent);

    [Fact]
    public async Task A_session_past_the_maximum_session_time_is_sessionExpired()
    {
        const string email = "expired@example.com";
        using var browser = fixture.Browser();
        await browser.SignInAsync(email);
        var token = browser.Token;
        Assert.Equal(email, (await fixture.AppClient.GetUserAsync(token, EndUser)).Email);

        // 30 days is the organization's default maximum session time.
        await fixture.UpdateSessionsOfAsync(email, s =>
        {
            s.Created = DateTimeOffset.UtcNow.AddDays(-31);
            return s;
        });

        var error = await Assert.ThrowsAsync<AuthException>(() => fixture.AppClient.GetUserAsync(token, EndUser));
        Assert.Equal(AuthErrorCode.SessionExpired, error.Error);
        Assert.Equal(401, error.StatusCode);
        Assert.True(error.RequiresSignIn);

        // The app's user endpoint reports it and drops the useless cookie.
        var response = await browser.GetAsync("/api/auth/user");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("sessionExpired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
        Assert.Null(browser.Cookie(Browser.TokenCookie));
    }

    [Fact]
    public async Task Logout_ends_the_session_on_the_server_and_the_token_is_then_sessionInactive()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("logout@example.com");
        var token = browser.Token;

        var response = await browser.GetAsync("/api/auth/logout?return_to=%2Fbye");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/bye", response.Headers.Location!.OriginalString);
        Assert.Null(browser.Cookie(Browser.TokenCookie));
        var error = await Assert.ThrowsAsync<AuthException>(() => fixture.AppClient.GetUserAsync(token, EndUser));
        Assert.Equal(AuthErrorCode.SessionInactive, error.Error);
    }

    [Fact]
    public async Task A_local_logout_only_forgets_the_cookie()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("locallogout@example.com");
        var token = browser.Token;

        var response = await browser.Http.PostAsync(fixture.AppUrl + "/api/auth/logout?session_wide=0", null);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/auth/signed-out", response.Headers.Location!.OriginalString);
        Assert.Null(browser.Cookie(Browser.TokenCookie));
        Assert.Equal("null", await (await browser.GetAsync("/api/auth/user")).Content.ReadAsStringAsync());
        Assert.Equal("locallogout@example.com", (await fixture.AppClient.GetUserAsync(token, EndUser)).Email);
    }

    [Fact]
    public async Task Logging_out_an_ended_session_again_is_not_an_error()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("twice@example.com");
        var token = browser.Token;

        await fixture.AppClient.EndSessionAsync(token);
        await fixture.AppClient.EndSessionAsync(token);
        var result = await fixture.AppClient.LogoutAsync(Contexts.Request(fixture.AppUrl + "/api/auth/logout", bearer: token), new LogoutOptions { LogoutSessionWide = true });

        Assert.Equal("/", Contexts.RedirectUrl(result));
    }

    [Fact]
    public async Task Affirming_with_another_account_is_sessionInvalid_and_keeps_the_current_user()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("affirm-owner@example.com");
        var ownerToken = browser.Token;

        var callback = await browser.SignInToCallbackAsync("affirm-intruder@example.com", "?affirm=1");
        Assert.Equal("1", Browser.QueryOf(callback)["affirm"]);
        var failure = await Browser.FailureOf(await browser.GetAsync(callback.ToString()));

        Assert.Equal(AuthErrorCode.SessionInvalid, failure.Code);
        Assert.Equal(ownerToken, browser.Token);
        Assert.Equal("affirm-owner@example.com", (await fixture.AppClient.GetUserAsync(ownerToken, EndUser)).Email);

        // The owner confirming is fine.
        var confirmed = await browser.SignInAsync("affirm-owner@example.com", "?affirm=1");
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.NotEqual(ownerToken, browser.Token);
    }

    [Fact]
    public async Task A_forged_token_is_tokenInvalid()
    {
        var error = await Assert.ThrowsAsync<AuthException>(() => fixture.AppClient.GetUserAsync("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..forged.forged.forged", EndUser));

        Assert.Equal(AuthErrorCode.TokenInvalid, error.Error);
        Assert.Equal(401, error.StatusCode);
    }
}
