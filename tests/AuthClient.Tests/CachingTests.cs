using AuthServer.AuthClientTests.Infrastructure;

namespace AuthServer.AuthClientTests;

/// <summary>User data is cached per token (and end user) for the configured time, and only then.</summary>
[Collection(ClientCollection.Name)]
public sealed class CachingTests(ClientFixture fixture)
{
    private static readonly EndUserContext EndUser = new("127.0.0.1", ClientFixture.UserAgent);

    [Fact]
    public async Task Within_the_cache_time_the_user_comes_from_the_cache_even_after_a_logout_elsewhere()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("cached@example.com");
        var (client, log) = fixture.NewClient(o => o.UserCacheTime = TimeSpan.FromMinutes(5));

        var first = await client.GetUserAsync(browser.Token, EndUser);
        var second = await client.GetUserAsync(browser.Token, EndUser);
        Assert.Equal(1, log.Count("/api/v1/userinfo"));
        Assert.Equal(first, second);

        // The session ends on the server (another instance of the app); this cache does not know yet.
        await fixture.AppClient.EndSessionAsync(browser.Token);
        Assert.Equal("cached@example.com", (await client.GetUserAsync(browser.Token, EndUser)).Email);
        Assert.Equal(1, log.Count("/api/v1/userinfo"));

        // Another end user with the same token is not served from the cache: the server says no.
        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync(browser.Token, EndUser with { Ip = "198.51.100.7" }));
        Assert.Equal(AuthErrorCode.SessionInactive, error.Error);
        Assert.Equal(2, log.Count("/api/v1/userinfo"));
    }

    [Fact]
    public async Task After_the_cache_time_the_server_is_asked_again()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("cacheexpiry@example.com");
        var (client, log) = fixture.NewClient(o => o.UserCacheTime = TimeSpan.FromMilliseconds(300));

        await client.GetUserAsync(browser.Token, EndUser);
        await fixture.AppClient.EndSessionAsync(browser.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(600));

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync(browser.Token, EndUser));
        Assert.Equal(AuthErrorCode.SessionInactive, error.Error);
        Assert.Equal(2, log.Count("/api/v1/userinfo"));
    }

    [Fact]
    public async Task Logout_through_the_client_drops_its_cache_entry()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("cachelogout@example.com");
        var (client, log) = fixture.NewClient(o => o.UserCacheTime = TimeSpan.FromMinutes(5));
        var token = browser.Token;
        await client.GetUserAsync(token, EndUser);

        await client.LogoutAsync(Contexts.Request(fixture.AppUrl + "/api/auth/logout", bearer: token), new LogoutOptions { LogoutSessionWide = true });

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync(token, EndUser));
        Assert.Equal(AuthErrorCode.SessionInactive, error.Error);
        Assert.Equal(2, log.Count("/api/v1/userinfo"));
    }

    [Fact]
    public async Task Without_a_cache_time_every_call_asks_the_server()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("nocache@example.com");
        var before = fixture.Requests.Count("/api/v1/userinfo");

        await browser.GetAsync("/api/auth/user");
        await browser.GetAsync("/api/auth/user");

        Assert.Equal(before + 2, fixture.Requests.Count("/api/v1/userinfo"));
    }
}
