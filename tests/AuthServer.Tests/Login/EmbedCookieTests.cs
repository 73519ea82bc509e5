using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AuthServer.Tests.Login;

public sealed class EmbedCookieTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Embedded_page_over_https_sets_an_antiforgery_cookie_usable_inside_an_iframe()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var client = fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });

        var response = await client.GetAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["embed"] = "1" }));

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("authserver.antiforgery=", StringComparison.Ordinal));
        Assert.Contains("samesite=none", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Normal_page_over_https_keeps_the_antiforgery_cookie_strict()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var client = fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });

        var response = await client.GetAsync(LoginDriver.LoginUrl(organization));

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("authserver.antiforgery=", StringComparison.Ordinal));
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
