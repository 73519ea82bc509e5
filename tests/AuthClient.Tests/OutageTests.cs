using System.Net;
using System.Text.Json;
using AuthServer.AuthClientTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthServer.AuthClientTests;

/// <summary>
/// The auth server goes down (its port refuses connections) and comes back: signed-in people are not
/// signed out; APIs get 503 with Retry-After, browsers a local page; afterwards everything works again.
/// </summary>
[Collection(ClientCollection.Name)]
public sealed class OutageTests(ClientFixture fixture)
{
    [Fact]
    public async Task While_the_server_is_down_APIs_get_503_browsers_a_page_and_the_cookie_is_kept_then_all_is_back()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("outage@example.com");
        var serverPort = new Uri(fixture.ServerUrl).Port;
        await using var proxy = new TcpProxy(serverPort);
        proxy.Start();
        await using var app = await TestApp.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["AuthClient:AuthBaseUrl"] = proxy.Url,
            ["AuthClient:UserCacheTime"] = "00:00:00",
            ["AuthClient:OutageRetryAfter"] = "00:00:07",
        });

        var before = await browser.Http.SendAsync(app.Get("/protected", "application/json"));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal("outage@example.com", await before.Content.ReadAsStringAsync());

        proxy.Stop();

        var api = await browser.Http.SendAsync(app.Get("/protected", "application/json"));
        var apiBody = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), api.Headers.RetryAfter?.Delta);
        Assert.Equal("networkError", apiBody.GetProperty("errorCode").GetString());
        Assert.Equal(7, apiBody.GetProperty("retryAfter").GetInt32());
        Assert.False(api.Headers.Contains("Set-Cookie"));

        var page = await browser.Http.SendAsync(app.Get("/protected", "text/html,application/xhtml+xml"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("try again", html, StringComparison.OrdinalIgnoreCase);
        Assert.Null(page.Headers.Location);
        Assert.False(page.Headers.Contains("Set-Cookie"));

        var user = await browser.Http.SendAsync(app.Get("/api/auth/user"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, user.StatusCode);
        Assert.NotNull(user.Headers.RetryAfter);

        proxy.Start();

        var after = await browser.Http.SendAsync(app.Get("/protected", "application/json"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("outage@example.com", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_callback_while_the_server_is_down_shows_the_local_page_not_the_unreachable_login_page()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("outagecallback@example.com", "?return_to=/protected");
        await using var proxy = new TcpProxy(new Uri(fixture.ServerUrl).Port);
        proxy.Start();
        await using var app = await TestApp.StartAsync(fixture, new Dictionary<string, string?> { ["AuthClient:AuthBaseUrl"] = proxy.Url });
        proxy.Stop();

        var response = await browser.Http.GetAsync(app.Url + callback.PathAndQuery);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("try again", html, StringComparison.OrdinalIgnoreCase);
        // The callback's state is spent: "Try again" starts a new sign-in that comes back to the same page.
        Assert.Contains("href=\"/api/auth/login?return_to=%2Fprotected\"", WebUtility.HtmlDecode(html));
    }
}
