using System.Net;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Login;

public sealed class AffirmTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Login_started_with_affirm_returns_affirm_to_the_callback()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var callback = await driver.SignInAsync(organization, "affirm@example.com",
            LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["affirm"] = "1" }));

        Assert.Contains("affirm=1", callback.Query);
    }

    [Fact]
    public async Task Login_without_affirm_does_not_add_it()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var callback = await driver.SignInAsync(organization, "no-affirm@example.com");

        Assert.DoesNotContain("affirm=", callback.Query);
        Assert.Equal(HttpStatusCode.OK, (await driver.VerifyAsync(organization, Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(callback.Query)["code"]!)).StatusCode);
    }
}
