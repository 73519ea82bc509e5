using System.Net;
using AuthServer.Features.Login;
using AuthServer.Tests.Infrastructure;
using AuthServer.Tests.Login;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.SignIn;

public sealed class PageViewLimitFixture : LimitedLoginServerFixture
{
    protected override IDictionary<string, string?> Limits => new Dictionary<string, string?> { ["Login:MaxAuthorizationRequestsPerIp"] = "2" };
}

/// <summary>Every page view persists a request, so views are counted per IP on both faces (Login:MaxAuthorizationRequestsPerIp).</summary>
public sealed class PageViewLimitTests(PageViewLimitFixture fixture) : IClassFixture<PageViewLimitFixture>
{
    [Fact]
    public async Task Page_views_over_the_per_ip_limit_are_refused_on_both_faces()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        using var driver = fixture.Driver();
        Assert.Equal(HttpStatusCode.OK, (await driver.OpenAsync(LoginDriver.LoginUrl(organization))).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.OpenAsync(LoginDriver.LoginUrl(organization))).Response.StatusCode);

        var third = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var authorize = await driver.Client.GetAsync(OidcDriver.AuthorizeUrl(organization));

        LoginAssertions.AssertErrorPage(third, HttpStatusCode.TooManyRequests, "tooManyRequests");
        Assert.NotNull(third.Response.Headers.RetryAfter);
        // The standard face tells the client to come back later (RFC 6749 §4.1.2.1).
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var query = QueryHelpers.ParseQuery(authorize.Headers.Location!.Query);
        Assert.Equal("temporarily_unavailable", query["error"].ToString());
        Assert.Equal("oidc-state", query["state"].ToString());
    }

    [Fact]
    public void Login_settings_that_cannot_work_stop_the_start_with_the_setting_named()
    {
        var result = new LoginOptionsValidation().Validate(null, new LoginOptions { RateLimitWindow = TimeSpan.Zero, MaxWrongCodes = 0 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Login:RateLimitWindow", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Login:MaxWrongCodes", StringComparison.Ordinal));
        Assert.True(new LoginOptionsValidation().Validate(null, new LoginOptions()).Succeeded);
    }
}
