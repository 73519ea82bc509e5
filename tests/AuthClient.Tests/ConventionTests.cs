using System.Net;
using System.Security.Claims;
using AuthServer.AuthClientTests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests;

/// <summary>
/// The library behaves like ASP.NET Core's own handlers: an AuthenticationBuilder extension, events, no
/// takeover of another default scheme, a replayed callback and a logout that land somewhere sensible,
/// a tampered cookie refused, and a short user cache on by default.
/// </summary>
[Collection(ClientCollection.Name)]
public sealed class ConventionTests(ClientFixture fixture)
{
    [Fact]
    public async Task A_callback_opened_again_by_a_signed_in_browser_goes_on_to_return_to()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("replay@example.com", "?return_to=/protected");
        var first = await browser.GetAsync(callback.ToString());
        Assert.Equal("/protected", first.Headers.Location?.OriginalString);
        var token = browser.Token;

        var replay = await browser.GetAsync(callback.ToString());

        Assert.Equal(HttpStatusCode.Redirect, replay.StatusCode);
        Assert.Equal("/protected", replay.Headers.Location?.OriginalString);
        Assert.Equal(token, browser.Token);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/protected")).StatusCode);
    }

    [Fact]
    public async Task A_replayed_callback_without_a_session_is_still_refused()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("replayanon@example.com");
        await browser.GetAsync(callback.ToString());
        using var stranger = fixture.Browser();

        var failure = await Browser.FailureOf(await stranger.GetAsync(callback.ToString()));

        Assert.Equal(AuthErrorCode.StateMissing, failure.Code);
    }

    [Fact]
    public async Task A_tampered_token_cookie_is_tokenInvalid_and_deleted()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("tampered@example.com");
        var token = browser.Token;
        var tampered = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];
        browser.Cookies.Add(new Uri(fixture.AppUrl), new Cookie(Browser.TokenCookie, tampered, "/"));

        var response = await browser.GetAsync("/protected", "application/json");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"tokenInvalid\"", await response.Content.ReadAsStringAsync());
        Assert.StartsWith(Browser.TokenCookie + "=;", Browser.SetCookie(response, Browser.TokenCookie));
    }

    [Fact]
    public async Task Logout_lands_on_the_signed_out_page_which_is_not_protected()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("signedout@example.com");

        var logout = await browser.GetAsync("/api/auth/logout");
        var page = await browser.GetAsync(logout.Headers.Location!.OriginalString, "text/html");

        Assert.Equal("/api/auth/signed-out", logout.Headers.Location.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("signed out", html);
        Assert.Contains("href=\"/api/auth/login\"", html);
    }

    [Fact]
    public async Task A_configured_signed_out_page_is_used_after_logout()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("goodbye@example.com");
        await using var app = await TestApp.StartAsync(fixture, new Dictionary<string, string?> { ["AuthClient:SignedOutPath"] = "/goodbye" });

        var logout = await browser.Http.SendAsync(app.Get("/api/auth/logout?session_wide=0"));

        Assert.Equal("/goodbye", logout.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task By_default_a_page_view_within_seconds_costs_no_server_call_and_no_HttpClient_log_lines()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("defaultcache@example.com");
        var log = new RequestLog();
        await using var app = await TestApp.StartAsync(fixture, new Dictionary<string, string?> { ["AuthClient:CheckOnStart"] = "false" },
            services: builder =>
            {
                builder.Services.AddAuthClient(builder.Configuration);
                builder.Services.AddHttpClient(AuthClient.HttpClientName).AddHttpMessageHandler(() => log.Handler());
            });

        Assert.Equal(HttpStatusCode.OK, (await browser.Http.SendAsync(app.Get("/protected", "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.SendAsync(app.Get("/protected", "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.SendAsync(app.Get("/protected", "application/json"))).StatusCode);

        Assert.Equal(1, log.Count("/api/v1/userinfo"));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_shortcut_does_not_take_over_a_default_scheme_the_app_chose()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("otherdefault@example.com");
        await using var app = await TestApp.StartAsync(fixture,
            services: builder =>
            {
                builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
                builder.Services.AddAuthClient(builder.Configuration);
            },
            map: web =>
            {
                web.MapAuthClient("/api/auth");
                web.MapGet("/default", (HttpContext c) => c.User.Identity?.IsAuthenticated == true ? "yes" : "no");
                web.MapGet("/scheme", async (IAuthenticationSchemeProvider schemes) => (await schemes.GetDefaultAuthenticateSchemeAsync())?.Name);
            });

        Assert.Equal(CookieAuthenticationDefaults.AuthenticationScheme, await (await browser.Http.SendAsync(app.Get("/scheme"))).Content.ReadAsStringAsync());
        Assert.Equal("no", await (await browser.Http.SendAsync(app.Get("/default"))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_AuthenticationBuilder_extension_adds_a_named_scheme_with_events()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("builder@example.com");
        var loaded = new List<string>();
        var signingOut = new List<string>();
        await using var app = await TestApp.StartAsync(fixture,
            services: builder =>
            {
                builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                    .AddCookie()
                    .AddAuthClient("Central", options =>
                    {
                        builder.Configuration.GetSection(AuthClientOptions.SectionName).Bind(options);
                        options.UserCacheTime = TimeSpan.Zero;
                        options.Events.OnUserLoaded = context =>
                        {
                            loaded.Add(context.User.Email);
                            return Task.CompletedTask;
                        };
                        options.Events.OnSigningOut = context =>
                        {
                            signingOut.Add(context.Reason);
                            return Task.CompletedTask;
                        };
                    });
                builder.Services.AddAuthorization();
            },
            map: web =>
            {
                web.MapAuthClient("/api/auth");
                web.MapGet("/central", [Authorize(AuthenticationSchemes = "Central")] (ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Email));
            });

        var response = await browser.Http.SendAsync(app.Get("/central", "application/json"));
        await browser.Http.SendAsync(app.Get("/api/auth/logout"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("builder@example.com", await response.Content.ReadAsStringAsync());
        Assert.Equal(["builder@example.com"], loaded);
        Assert.Equal(["logout"], signingOut);
    }

    [Fact]
    public void Forwarded_headers_are_not_trusted_by_default()
    {
        var request = Contexts.Request(fixture.AppUrl + "/protected").Request;
        request.Headers["X-Forwarded-For"] = "203.0.113.9";

        Assert.False(new AuthClientOptions().UseForwardedHeaders);
        Assert.Equal("127.0.0.1", EndUserContext.FromRequest(request, new AuthClientOptions().UseForwardedHeaders).Ip);
    }
}
