using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuthServer.AuthClientTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.AuthClientTests;

/// <summary>A person signs in to the app through the library, against the real server and its email code.</summary>
[Collection(ClientCollection.Name)]
public sealed class SignInTests(ClientFixture fixture)
{
    [Fact]
    public async Task A_person_signs_in_with_the_emailed_code_and_lands_on_return_to()
    {
        using var browser = fixture.Browser();
        var loginResponse = await browser.GetAsync("/api/auth/login?return_to=%2Fdashboard%3Ftab%3D2");

        // The redirect to the login page: PKCE S256 with the verifier kept in a cookie, a random state.
        Assert.Equal(HttpStatusCode.Redirect, loginResponse.StatusCode);
        var loginPage = loginResponse.Headers.Location!;
        var query = Browser.QueryOf(loginPage);
        Assert.Equal(fixture.ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(fixture.CallbackUrl + "?return_to=%2Fdashboard%3Ftab%3D2", query["redirect_uri"]);
        var verifier = browser.Cookie(Browser.VerifierCookie)!;
        var state = browser.Cookie(Browser.StateCookie)!;
        Assert.Equal(43, verifier.Length);
        Assert.Equal(WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), query["code_challenge"]);
        Assert.Equal(state, query["state"]);
        Assert.True(state.Length >= 43);
        foreach (var name in new[] { Browser.StateCookie, Browser.VerifierCookie })
        {
            var cookie = Browser.SetCookie(loginResponse, name).ToLowerInvariant();
            Assert.Contains("httponly", cookie);
            Assert.Contains("samesite=lax", cookie);
            Assert.Contains("path=/api/auth/callback", cookie);
            Assert.DoesNotContain("secure", cookie);
        }

        var callback = await browser.CompleteLoginAsync(loginPage, "ada@example.com");
        Assert.Equal(state, Browser.QueryOf(callback)["state"]);
        var response = await browser.GetAsync(callback.ToString());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard?tab=2", response.Headers.Location!.OriginalString);
        var tokenCookie = Browser.SetCookie(response, Browser.TokenCookie).ToLowerInvariant();
        Assert.Contains("httponly", tokenCookie);
        Assert.Contains("samesite=lax", tokenCookie);
        Assert.Contains("path=/;", tokenCookie + ";");
        Assert.Contains("expires=", tokenCookie);
        Assert.DoesNotContain("secure", tokenCookie);
        Assert.Null(browser.Cookie(Browser.StateCookie));
        Assert.Null(browser.Cookie(Browser.VerifierCookie));

        var user = await (await browser.GetAsync("/api/auth/user")).Content.ReadFromJsonAsync<AuthUser>();
        Assert.NotNull(user);
        Assert.Equal("ada@example.com", user.Email);
        Assert.True(user.Verified);
        Assert.False(user.Blocked);
        Assert.Equal(fixture.ClientId, user.OrganizationId);
        Assert.False(string.IsNullOrEmpty(user.Id));
    }

    [Fact]
    public async Task The_code_is_exchanged_as_multipart_with_basic_auth_and_the_bare_callback_url()
    {
        using var browser = fixture.Browser();
        var before = fixture.Requests.Count("/api/v1/verify");
        await browser.SignInAsync("multipart@example.com", "?return_to=/x");

        var verify = fixture.Requests.Requests.Where(r => r.Path == "/api/v1/verify").Last();
        Assert.Equal(before + 1, fixture.Requests.Count("/api/v1/verify"));
        Assert.Equal("POST", verify.Method);
        Assert.Equal("multipart/form-data", verify.ContentType);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fixture.ClientId}:{fixture.Secret}")), verify.Headers["authorization"]);
        Assert.Contains("name=redirect_uri\r\n\r\n" + fixture.CallbackUrl + "\r\n", verify.Body.Replace("\"", ""));
        Assert.Contains("name=code_verifier", verify.Body.Replace("\"", ""));
    }

    [Fact]
    public async Task Every_login_has_its_own_state_and_verifier()
    {
        using var first = fixture.Browser();
        using var second = fixture.Browser();
        var a = Browser.QueryOf(await first.StartLoginAsync());
        var b = Browser.QueryOf(await second.StartLoginAsync());

        Assert.NotEqual(a["state"], b["state"]);
        Assert.NotEqual(a["code_challenge"], b["code_challenge"]);
        Assert.NotEqual(first.Cookie(Browser.VerifierCookie), second.Cookie(Browser.VerifierCookie));
    }

    [Fact]
    public async Task Login_options_reach_the_login_page()
    {
        using var browser = fixture.Browser();
        var loginPage = await browser.StartLoginAsync("?email=grace%40example.com&error_message=The%20link%20expired&embed=1&affirm=1");

        var query = Browser.QueryOf(loginPage);
        Assert.Equal("grace@example.com", query["email"]);
        Assert.Equal("The link expired", query["error_description"]);
        Assert.Equal("1", query["embed"]);
        Assert.Equal("1", query["affirm"]);
        var page = await browser.OpenAsync(loginPage);
        Assert.Contains("grace@example.com", page.Html);
        Assert.Contains("The link expired", page.Html);
    }

    [Fact]
    public async Task Translations_are_sent_as_base64_json_and_shown_by_the_login_page()
    {
        var context = Contexts.Request(fixture.AppUrl + "/api/auth/login");
        var result = await fixture.AppClient.LoginAsync(context, new LoginOptions
        {
            Translations = new Dictionary<string, string> { ["loginPageIntro"] = "Welcome to the test app, sign in below." },
        });

        var location = new Uri(Contexts.RedirectUrl(result));
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(Browser.QueryOf(location)["translations"]));
        Assert.Equal("Welcome to the test app, sign in below.", JsonDocument.Parse(json).RootElement.GetProperty("loginPageIntro").GetString());
        using var browser = fixture.Browser();
        Assert.Contains("Welcome to the test app, sign in below.", (await browser.OpenAsync(location)).Html);
    }

    [Fact]
    public async Task Userinfo_forwards_the_end_users_ip_and_user_agent_with_the_apps_origin_as_domain()
    {
        using var browser = fixture.Browser("ForwardingBrowser/2.0");
        await browser.SignInAsync("forwarding@example.com");

        async Task<RequestLog.LoggedRequest> UserCallAsync(params (string Name, string Value)[] headers)
        {
            var request = browser.Request(HttpMethod.Get, "/api/auth/user");
            foreach (var (name, value) in headers)
            {
                request.Headers.Add(name, value);
            }

            var response = await browser.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return fixture.Requests.Requests.Last(r => r.Path == "/api/v1/userinfo");
        }

        var forwarded = await UserCallAsync(("X-Forwarded-For", "203.0.113.9, 10.0.0.1"), ("X-Real-IP", "198.51.100.1"));
        var realIp = await UserCallAsync(("X-Real-IP", "198.51.100.1"));
        var direct = await UserCallAsync();

        Assert.Equal("203.0.113.9", forwarded.Headers["auth-ip"]);
        Assert.Equal("198.51.100.1", realIp.Headers["auth-ip"]);
        Assert.Equal("127.0.0.1", direct.Headers["auth-ip"]);
        Assert.Equal("ForwardingBrowser/2.0", forwarded.Headers["user-agent"]);
        Assert.Equal("?domain=" + Uri.EscapeDataString(fixture.AppUrl), forwarded.Query);
        Assert.Equal("POST", forwarded.Method);
        Assert.Equal("text/plain", forwarded.ContentType);
        Assert.Equal(browser.Token, forwarded.Body);
    }

    [Fact]
    public async Task A_bearer_token_is_accepted_instead_of_the_cookie()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("bearer@example.com");
        using var api = fixture.Browser();

        var response = await api.Http.SendAsync(api.Request(HttpMethod.Get, "/api/auth/user", bearer: browser.Token));

        Assert.Equal("bearer@example.com", (await response.Content.ReadFromJsonAsync<AuthUser>())!.Email);
    }

    [Fact]
    public async Task Without_a_token_the_user_endpoint_answers_null()
    {
        using var browser = fixture.Browser();

        var response = await browser.GetAsync("/api/auth/user");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
        Assert.Null(await fixture.AppClient.GetUserAsync(Contexts.Request(fixture.AppUrl + "/")));
    }

    [Fact]
    public async Task Hooks_see_the_state_and_the_user_and_may_change_the_response()
    {
        string? stateSeen = null;
        AuthUser? userSeen = null;
        var (client, _) = fixture.NewClient(o =>
        {
            o.OnStateReceived = (_, state) =>
            {
                stateSeen = state;
                return Task.FromResult(state.StartsWith("app-", StringComparison.Ordinal));
            };
            o.OnAfterCallback = context =>
            {
                userSeen = context.User;
                Assert.Equal("/orders", context.ReturnTo);
                Assert.Equal("/orders", Contexts.RedirectUrl(context.Result));
                return Task.FromResult(Microsoft.AspNetCore.Http.Results.Redirect("/welcome"));
            };
        });

        var (result, _) = await SignInDirectlyAsync(client, "hooks@example.com", new LoginOptions { State = "app-12345678901234567890", ReturnTo = "/orders" });

        Assert.Equal("/welcome", Contexts.RedirectUrl(result));
        Assert.Equal("app-12345678901234567890", stateSeen);
        Assert.Equal("hooks@example.com", userSeen!.Email);
    }

    [Fact]
    public async Task A_state_the_hook_rejects_is_stateInvalid()
    {
        var (client, log) = fixture.NewClient(o => o.OnStateReceived = (_, _) => Task.FromResult(false));

        var error = await Assert.ThrowsAsync<AuthException>(() => SignInDirectlyAsync(client, "rejected@example.com", new LoginOptions()));

        Assert.Equal(AuthErrorCode.StateInvalid, error.Error);
        Assert.Equal(0, log.Count("/api/v1/verify"));
    }

    [Fact]
    public async Task Cookies_are_secure_when_the_request_or_the_callback_is_https()
    {
        var https = Contexts.Request("https://app.example.com/api/auth/login");
        await fixture.AppClient.LoginAsync(https);
        var (httpsCallbackClient, _) = fixture.NewClient(o => o.CallbackUrl = "https://app.example.com/api/auth/callback");
        var http = Contexts.Request("http://app.example.com/api/auth/login");
        await httpsCallbackClient.LoginAsync(http);

        Assert.True(Contexts.SetCookie(https.Response, Browser.StateCookie).Secure);
        Assert.True(Contexts.SetCookie(https.Response, Browser.VerifierCookie).Secure);
        Assert.True(Contexts.SetCookie(http.Response, Browser.StateCookie).Secure);
    }

    /// <summary>LoginAsync and CallbackAsync called directly, with the person's part done by a browser on the real server.</summary>
    private async Task<(Microsoft.AspNetCore.Http.IResult Result, Microsoft.AspNetCore.Http.HttpContext Context)> SignInDirectlyAsync(
        AuthClient client, string email, LoginOptions options)
    {
        var login = Contexts.Request(fixture.AppUrl + "/api/auth/login");
        var loginPage = new Uri(Contexts.RedirectUrl(await client.LoginAsync(login, options)));
        using var browser = fixture.Browser();
        var callback = await browser.CompleteLoginAsync(loginPage, email);
        var context = Contexts.Request(callback.ToString(), Contexts.CookiesSet(login.Response));
        return (await client.CallbackAsync(context), context);
    }
}
