using System.Net;
using AuthServer.AuthClientTests.Infrastructure;

namespace AuthServer.AuthClientTests;

/// <summary>return_to never leads off the app's origin: not at login, not on a tampered callback, not at logout.</summary>
[Collection(ClientCollection.Name)]
public sealed class OpenRedirectTests(ClientFixture fixture)
{
    public static TheoryData<string> OffOrigin => new()
    {
        "//evil.com",
        "//evil.com/path",
        "/\\evil.com",
        "\\\\evil.com",
        "/\t/evil.com",
        "/.//evil.com",
        "https://evil.com/steal",
        "HTTPS://EVIL.COM",
        "http://localhost@evil.com/",
        "http://localhost:1/other-port",
        "https://localhost/other-scheme",
        "javascript:alert(1)",
        "data:text/html,hi",
        "evil.com",
    };

    [Theory]
    [MemberData(nameof(OffOrigin))]
    public async Task A_tampered_return_to_on_the_callback_redirects_to_the_root(string returnTo)
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync($"redirect-{Guid.NewGuid():N}@example.com");

        var response = await browser.GetAsync(Browser.WithQuery(callback, "return_to", returnTo));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        Assert.NotNull(browser.Cookie(Browser.TokenCookie));
    }

    [Theory]
    [MemberData(nameof(OffOrigin))]
    public async Task An_off_origin_return_to_is_not_carried_into_the_login(string returnTo)
    {
        using var browser = fixture.Browser();

        var loginPage = await browser.StartLoginAsync("?return_to=" + Uri.EscapeDataString(returnTo));

        Assert.Equal(fixture.CallbackUrl, Browser.QueryOf(loginPage)["redirect_uri"]);
    }

    [Theory]
    [MemberData(nameof(OffOrigin))]
    public async Task An_off_origin_return_to_at_logout_redirects_to_the_root(string returnTo)
    {
        using var browser = fixture.Browser();

        var response = await browser.GetAsync("/api/auth/logout?session_wide=0&return_to=" + Uri.EscapeDataString(returnTo));

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Paths_and_urls_on_the_apps_origin_are_followed()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("sameorigin@example.com", "?return_to=" + Uri.EscapeDataString(fixture.AppUrl + "/account?tab=1#top"));
        Assert.Equal("/account?tab=1#top", Browser.QueryOf(callback)["return_to"]);

        var response = await browser.GetAsync(callback.ToString());

        Assert.Equal("/account?tab=1#top", response.Headers.Location!.OriginalString);
    }
}
