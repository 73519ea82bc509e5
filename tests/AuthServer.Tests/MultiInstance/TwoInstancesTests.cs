using System.Net;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.MultiInstance;

/// <summary>Nothing assumes a single instance: a sign-in may hop between instances at every step.</summary>
public sealed class TwoInstancesTests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    /// <summary>One browser (one cookie jar) whose requests a load balancer sends to A or B.</summary>
    private sealed class Browser : IDisposable
    {
        private readonly CookieContainer cookies = new();
        private readonly HttpClientHandler handler;

        public Browser(TwoInstancesFixture fixture)
        {
            handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies };
            A = new LoginDriver(new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri(fixture.A.BaseUrl) }, fixture.Outbox);
            B = new LoginDriver(new HttpClient(handler, disposeHandler: false) { BaseAddress = new Uri(fixture.B.BaseUrl) }, fixture.Outbox);
        }

        public LoginDriver A { get; }
        public LoginDriver B { get; }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            handler.Dispose();
        }
    }

    [Fact]
    public async Task Page_on_A_code_on_B_verify_on_A_userinfo_on_B_and_logout_on_B_is_seen_by_A()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var browser = new Browser(fixture);

        var page = await browser.A.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await browser.A.SubmitEmailAsync(page, "hop@example.com");
        // The anti-forgery token minted by A validates on B: the Data Protection keys are shared.
        var done = await browser.B.SubmitCodeAsync(codePage, fixture.Outbox.LatestCodeFor("hop@example.com"));
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);

        var verify = await browser.A.VerifyAsync(organization, done.RedirectQuery["code"]);
        var text = await verify.Content.ReadAsStringAsync();
        Assert.True(verify.IsSuccessStatusCode, text);
        var accessToken = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await browser.B.UserInfoAsync(organization, accessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.B.LogoutAsync(organization, accessToken)).StatusCode);
        await (await browser.A.UserInfoAsync(organization, accessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
    }

    [Fact]
    public async Task Whitelist_change_reaches_the_other_instance_within_five_seconds()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var browser = new Browser(fixture);
        Assert.Equal(HttpStatusCode.OK, (await browser.B.OpenAsync(LoginDriver.LoginUrl(organization))).Response.StatusCode);

        await fixture.WithDbAsync(db => db.Organizations.Where(o => o.Id == organization.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.WhitelistedOrigins, new List<string> { "https://other.example.com" })));

        var deadline = DateTime.UtcNow.AddSeconds(6);
        HttpStatusCode status;
        do
        {
            status = (await browser.B.OpenAsync(LoginDriver.LoginUrl(organization))).Response.StatusCode;
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal(HttpStatusCode.BadRequest, status);

        static async Task<bool> Delay()
        {
            await Task.Delay(250);
            return true;
        }
    }

    [Fact]
    public async Task Email_rate_limit_holds_across_both_instances()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var browser = new Browser(fixture);
        var email = $"limit-{Guid.NewGuid():N}@example.com";

        for (var i = 0; i < 3; i++)
        {
            var driver = i % 2 == 0 ? browser.A : browser.B;
            var sent = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), email);
            Assert.Equal(HttpStatusCode.OK, sent.Response.StatusCode);
        }

        var overA = await browser.A.SubmitEmailAsync(await browser.A.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        var overB = await browser.B.SubmitEmailAsync(await browser.B.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        Assert.Equal(HttpStatusCode.TooManyRequests, overA.Response.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, overB.Response.StatusCode);
    }
}
