using System.Net;
using AuthServer.AuthClientTests.Infrastructure;

namespace AuthServer.AuthClientTests;

/// <summary>Everything that can go wrong on the way back to the app's callback.</summary>
[Collection(ClientCollection.Name)]
public sealed class CallbackErrorTests(ClientFixture fixture)
{
    [Fact]
    public async Task A_tampered_state_is_stateInvalid_and_signs_nobody_in()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("tampered@example.com");
        var verifies = fixture.Requests.Count("/api/v1/verify");

        var response = await browser.GetAsync(Browser.WithQuery(callback, "state", "attacker-chosen-state"));

        Assert.Equal(AuthErrorCode.StateInvalid, (await Browser.FailureOf(response)).Code);
        Assert.Null(browser.Cookie(Browser.TokenCookie));
        Assert.Equal(verifies, fixture.Requests.Count("/api/v1/verify"));
    }

    [Fact]
    public async Task A_callback_without_state_is_stateInvalid()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("nostate@example.com");

        var response = await browser.GetAsync(Browser.WithQuery(callback, "state", null));

        Assert.Equal(AuthErrorCode.StateInvalid, (await Browser.FailureOf(response)).Code);
    }

    [Fact]
    public async Task A_callback_in_a_browser_that_started_no_login_is_stateMissing()
    {
        using var victim = fixture.Browser();
        var callback = await victim.SignInToCallbackAsync("forced@example.com");
        // Login CSRF: an attacker sends someone else's callback URL to a browser without the state cookie.
        using var other = fixture.Browser();

        var response = await other.GetAsync(callback.ToString());

        Assert.Equal(AuthErrorCode.StateMissing, (await Browser.FailureOf(response)).Code);
        Assert.Null(other.Cookie(Browser.TokenCookie));
    }

    [Fact]
    public async Task An_error_sent_back_by_the_server_becomes_its_code()
    {
        using var browser = fixture.Browser();
        var state = Browser.QueryOf(await browser.StartLoginAsync())["state"];

        var response = await browser.GetAsync($"/api/auth/callback?error=noPermission&error_description={Uri.EscapeDataString("You may not sign in here.")}&state={state}");

        var failure = await Browser.FailureOf(response);
        Assert.Equal(AuthErrorCode.NoPermission, failure.Code);
        Assert.Equal("noPermission", failure.ErrorCode);
        Assert.Equal("You may not sign in here.", failure.Message);
    }

    [Fact]
    public async Task An_error_code_this_version_does_not_know_is_Unknown_with_the_raw_code_kept()
    {
        using var browser = fixture.Browser();
        var state = Browser.QueryOf(await browser.StartLoginAsync())["state"];

        var response = await browser.GetAsync($"/api/auth/callback?error=brandNewError&error_description=New&state={state}");

        var failure = await Browser.FailureOf(response);
        Assert.Equal(AuthErrorCode.Unknown, failure.Code);
        Assert.Equal("brandNewError", failure.ErrorCode);
    }

    [Fact]
    public async Task A_blocked_user_is_sent_back_by_the_real_server_as_noPermission()
    {
        const string email = "blocked@example.com";
        using (var first = fixture.Browser())
        {
            Assert.Equal(HttpStatusCode.Redirect, (await first.SignInAsync(email)).StatusCode);
        }

        await fixture.SetUserBlockedAsync(email, true);
        using var browser = fixture.Browser();
        var answer = await browser.SubmitEmailAsync(await browser.StartLoginAsync(), email);

        // The server does not send the code: it redirects to the app's callback with the error.
        Assert.Equal(HttpStatusCode.Redirect, answer.Response.StatusCode);
        var callback = answer.Response.Headers.Location!;
        Assert.Equal("noPermission", Browser.QueryOf(callback)["error"]);
        var failure = await Browser.FailureOf(await browser.GetAsync(callback.ToString()));
        Assert.Equal(AuthErrorCode.NoPermission, failure.Code);
    }

    [Fact]
    public async Task A_replayed_callback_cannot_sign_in_again_and_ends_the_session()
    {
        using var browser = fixture.Browser();
        var loginPage = await browser.StartLoginAsync();
        var state = browser.Cookie(Browser.StateCookie)!;
        var verifier = browser.Cookie(Browser.VerifierCookie)!;
        var callback = await browser.CompleteLoginAsync(loginPage, "replay@example.com");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(callback.ToString())).StatusCode);
        var token = browser.Token;

        // Same browser, same URL: the state cookie was single use; signed in, it just goes on (ConventionTests).
        // Another browser with the URL is refused.
        using var other = fixture.Browser();
        var again = await other.GetAsync(callback.ToString());
        Assert.Equal(AuthErrorCode.StateMissing, (await Browser.FailureOf(again)).Code);

        // Even with the cookies put back, the server refuses the spent code and ends the session it made.
        var cookies = new Dictionary<string, string> { [Browser.StateCookie] = state, [Browser.VerifierCookie] = verifier };
        var replay = await Assert.ThrowsAsync<AuthException>(() => fixture.AppClient.CallbackAsync(Contexts.Request(callback.ToString(), cookies)));
        Assert.Equal(AuthErrorCode.TokenInvalid, replay.Error);
        Assert.Equal(401, replay.StatusCode);
        var ended = await Assert.ThrowsAsync<AuthException>(() => fixture.AppClient.GetUserAsync(token, new EndUserContext("127.0.0.1", ClientFixture.UserAgent)));
        Assert.Equal(AuthErrorCode.SessionInactive, ended.Error);
    }

    [Fact]
    public async Task A_wrong_verifier_is_codeChallengeInvalid()
    {
        using var browser = fixture.Browser();
        var loginPage = await browser.StartLoginAsync();
        var state = browser.Cookie(Browser.StateCookie)!;
        var callback = await browser.CompleteLoginAsync(loginPage, "verifier@example.com");
        var cookies = new Dictionary<string, string> { [Browser.StateCookie] = state, [Browser.VerifierCookie] = new string('v', 43) };

        var error = await Assert.ThrowsAsync<AuthException>(() => fixture.AppClient.CallbackAsync(Contexts.Request(callback.ToString(), cookies)));

        Assert.Equal(AuthErrorCode.CodeChallengeInvalid, error.Error);
        Assert.False(string.IsNullOrEmpty(error.TraceId));
    }

    [Fact]
    public async Task The_default_callback_error_handling_goes_back_to_login_with_the_message()
    {
        using var browser = fixture.Browser();

        var response = await browser.GetAsync("/default/auth/callback?error=noPermission&state=abc&return_to=%2Fafter");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/default/auth/login?error_message=", location);
        Assert.Contains("return_to=%2Fafter", location);
        // ...and the login endpoint passes the message on to the login page.
        var loginPage = await browser.StartLoginAsync(location["/default/auth/login".Length..], "/default/auth");
        Assert.False(string.IsNullOrEmpty(Browser.QueryOf(loginPage)["error_description"]));
    }
}
