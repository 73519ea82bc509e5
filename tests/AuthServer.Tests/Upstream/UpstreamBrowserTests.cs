using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json;
using AuthServer.Data;
using AuthServer.Features.Upstream;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AuthServer.Tests.Upstream;

/// <summary>
/// Sign-in through a real upstream OpenID Connect provider (panva/oidc-provider on loopback) in headless
/// Chromium: "Continue with" → the provider's login form → back → the app's callback with a code → verify →
/// userinfo, on both faces; and every refusal on the way, shown on our page with its catalog error.
/// </summary>
public sealed class UpstreamBrowserTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    private const string Button = "Continue with Acme SSO";

    [Theory]
    [InlineData("desktop", 1280, 800)]
    [InlineData("phone", 390, 844)]
    public async Task New_user_signs_in_through_the_provider_on_the_CentralAuth_face(string device, int width, int height)
    {
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl);
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var connection = await OidcConnectionAsync(organization, idp.Issuer);
        var email = $"new-{device}-{Guid.NewGuid():N}@example.com";
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(width, height);

        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        // Above the email form, reachable with the keyboard.
        var link = page.GetByRole(AriaRole.Link, new() { Name = Button });
        await Assertions.Expect(link).ToBeVisibleAsync();
        await Shot(page, device, "1-login-page");
        await link.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await LogInUpstreamAsync(page, idp, $"sub-{Guid.NewGuid():N}:{email}");
        await WaitForAppAsync(page, fixture.AppOrigin + "/callback?**", idp);
        var query = QueryHelpers.ParseQuery(new Uri(page.Url).Query);
        Assert.Equal("st-123", query["state"]);

        using var app = new LoginDriver(new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) }, new Outbox(Path.GetTempPath()));
        var verified = await app.VerifyAsync(organization, query["code"]!, fixture.AppOrigin + "/callback");
        var body = await verified.Content.ReadAsStringAsync();
        Assert.True(verified.IsSuccessStatusCode, body);
        var accessToken = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        var userInfo = await app.UserInfoAsync(organization, accessToken, fixture.AppOrigin);
        var user = JsonDocument.Parse(await userInfo.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        Assert.Equal(email, user.GetProperty("email").GetString());

        // The session names the provider and says "fed"; the audit log has the sign-in; the identity is linked.
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var session = await db.Sessions.SingleAsync(s => s.OrganizationId == organization.Id);
        Assert.Equal("fed", session.Method);
        Assert.Equal(connection, session.UpstreamConnectionId);
        Assert.Equal(1, await db.LinkedIdentities.CountAsync(i => i.ConnectionId == connection && i.UserId == session.UserId));
        Assert.Contains(await db.AuditLog.Where(a => a.OrganizationId == organization.Id && a.Action == "signin.upstream").ToListAsync(),
            a => a.Status == "success" && a.TargetId == session.Id.ToString());
    }

    [Fact]
    public async Task Existing_user_is_linked_by_verified_email_on_the_standard_face_and_found_again_after_an_email_change()
    {
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl);
        var callback = fixture.AppOrigin + "/callback";
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation", o =>
        {
            o.RedirectUris = [callback];
            o.Settings.EnableUserCreation = false;
        });
        await OidcConnectionAsync(organization, idp.Issuer);
        var email = $"known-{Guid.NewGuid():N}@example.com";
        var existing = await AddUserAsync(organization, email);
        var subject = $"sub-{Guid.NewGuid():N}";
        await using var browser = await BrowserHandle.LaunchAsync();

        var first = await SignInOnStandardFaceAsync(browser, idp, organization, callback, $"{subject}:{email.ToUpperInvariant()}");
        Assert.Equal(existing.ToString(), first.Subject);
        Assert.Equal("fed", first.Amr);

        // The provider's address changed; the linked subject still finds the same user (sign-up is off, too).
        var second = await SignInOnStandardFaceAsync(browser, idp, organization, callback, $"{subject}:renamed-{Guid.NewGuid():N}@example.com");
        Assert.Equal(existing.ToString(), second.Subject);
        Assert.Equal(email, second.Email);
    }

    [Fact]
    public async Task Unverified_email_is_refused_on_the_page()
    {
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl);
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var connection = await OidcConnectionAsync(organization, idp.Issuer);
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        await page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync();

        var back = await page.RunAndWaitForResponseAsync(
            () => LogInUpstreamAsync(page, idp, $"sub-{Guid.NewGuid():N}:unverified-{Guid.NewGuid():N}@example.com"), IsCallback);
        await ExpectRefusalAsync(page, back, 400, "upstreamEmailUnverified", organization, connection, "not confirm");
        await Shot(page, "desktop", "2-unverified");
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<AuthDbContext>().Users.AnyAsync(u => u.OrganizationId == organization.Id));
    }

    [Fact]
    public async Task Access_denied_upstream_returns_to_the_page_where_another_method_can_be_chosen()
    {
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl);
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var connection = await OidcConnectionAsync(organization, idp.Issuer);
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        await page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync();
        await page.WaitForAddressAsync(idp.Issuer + "/interaction/**");

        var back = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "[ Cancel ]" }).ClickAsync(), IsCallback);
        await ExpectRefusalAsync(page, back, 400, "upstreamSignInFailed", organization, connection, "did not complete");
        await Shot(page, "desktop", "3-access-denied");
        await Assertions.Expect(page.GetByLabel("Email address")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ID_token_signed_with_a_key_the_provider_does_not_publish_is_refused()
    {
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl, "wrong-key");
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var connection = await OidcConnectionAsync(organization, idp.Issuer);
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        await page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync();

        var back = await page.RunAndWaitForResponseAsync(() => LogInUpstreamAsync(page, idp, $"sub-{Guid.NewGuid():N}:key-{Guid.NewGuid():N}@example.com"), IsCallback);
        await ExpectRefusalAsync(page, back, 400, "upstreamSignInFailed", organization, connection, "did not complete");
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<AuthDbContext>().Sessions.AnyAsync(s => s.OrganizationId == organization.Id));
    }

    [Fact]
    public async Task Wrong_client_secret_refused_at_the_pushed_authorization_request_is_an_error_on_the_page()
    {
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl);
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var connection = await OidcConnectionAsync(organization, idp.Issuer, secret: "not-the-secret");
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));

        var response = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync(),
            r => r.Url.Contains("/login/upstream/", StringComparison.Ordinal));
        await ExpectRefusalAsync(page, response, 400, "upstreamSignInFailed", organization, connection, "did not complete");
    }

    [Fact]
    public async Task Failed_token_exchange_is_refused_on_the_page()
    {
        // Without pushed authorization requests, the wrong secret is first seen at the token endpoint.
        await using var idp = await UpstreamIdp.StartAsync(fixture.BaseUrl, "no-par");
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        // The provider does not know this secret: its token endpoint answers invalid_client.
        var connection = await OidcConnectionAsync(organization, idp.Issuer, secret: "not-the-secret");
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        await page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync();

        IResponse? back = null;
        try
        {
            back = await page.RunAndWaitForResponseAsync(() => LogInUpstreamAsync(page, idp, $"sub-{Guid.NewGuid():N}:x-{Guid.NewGuid():N}@example.com"), IsCallback);
        }
        catch (Exception failure) when (failure is TimeoutException or PlaywrightException)
        {
            Assert.Fail($"The browser is at {page.Url}, showing: {await page.Locator("body").InnerTextAsync()}\nProvider: {idp.Log}");
        }

        await ExpectRefusalAsync(page, back!, 400, "upstreamSignInFailed", organization, connection, "did not complete");
    }

    [Theory]
    [InlineData("desktop", 1280, 800)]
    [InlineData("phone", 390, 844)]
    public async Task Provider_that_is_down_is_an_error_on_the_page(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var connection = await OidcConnectionAsync(organization, UpstreamIdp.UnreachableIssuer());
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(width, height);
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));

        var response = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync(),
            r => r.Url.Contains("/login/upstream/", StringComparison.Ordinal));
        await ExpectRefusalAsync(page, response, 502, "upstreamUnavailable", organization, connection, "could not be reached");
        await Shot(page, device, "4-provider-down");
    }

    private async Task<Guid> OidcConnectionAsync(TestOrganization organization, string issuer, string secret = UpstreamIdp.ClientSecret) =>
        await UpstreamIdp.AddConnectionAsync(fixture.Factory.Services, organization.Id, UpstreamKinds.Oidc, UpstreamIdp.ClientId, secret, c =>
        {
            c.Issuer = issuer;
            c.DisplayName = "Acme SSO";
        });

    private async Task<Guid> AddUserAsync(TestOrganization organization, string email)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var user = new AuthServer.Data.Entities.User
        {
            Id = Guid.NewGuid(), OrganizationId = organization.Id, Email = email, NormalizedEmail = email.ToLowerInvariant(),
            Verified = true, Created = DateTimeOffset.UtcNow, Updated = DateTimeOffset.UtcNow,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    private sealed record StandardFaceResult(string Subject, string Amr, string? Email);

    /// <summary>/connect/authorize → our page → the provider → back → the app's code → /connect/token → /connect/userinfo.</summary>
    private async Task<StandardFaceResult> SignInOnStandardFaceAsync(BrowserHandle browser, UpstreamIdp idp, TestOrganization organization, string callback, string login)
    {
        // A fresh browser context each time: no single sign-on, at us or at the provider.
        var page = await browser.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.BaseUrl + OidcDriver.AuthorizeUrl(organization, callback));
        await page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync();
        await LogInUpstreamAsync(page, idp, login);
        await WaitForAppAsync(page, callback + "?**", idp);
        var code = QueryHelpers.ParseQuery(new Uri(page.Url).Query)["code"].ToString();
        await page.Context.CloseAsync();

        using var login2 = new LoginDriver(new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) }, new Outbox(Path.GetTempPath()));
        var oidc = new OidcDriver(login2, new Outbox(Path.GetTempPath()));
        var redeemed = await oidc.RedeemAsync(organization, code, redirectUri: callback);
        var text = await redeemed.Content.ReadAsStringAsync();
        Assert.True(redeemed.IsSuccessStatusCode, text);
        var tokens = JsonDocument.Parse(text).RootElement;
        var id = new JwtSecurityTokenHandler().ReadJwtToken(tokens.GetProperty("id_token").GetString());

        var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfoRequest.Headers.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        var userInfo = JsonDocument.Parse(await (await oidc.Client.SendAsync(userInfoRequest)).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(id.Subject, userInfo.GetProperty("sub").GetString());
        return new StandardFaceResult(id.Subject, id.Claims.Single(c => c.Type == "amr").Value, userInfo.TryGetProperty("email", out var e) ? e.GetString() : null);
    }

    /// <summary>The provider's login form, as the account "subject:email" (the provider is told the email first).</summary>
    private static async Task LogInUpstreamAsync(IPage page, UpstreamIdp idp, string login)
    {
        var (subject, email) = (login[..login.IndexOf(':', StringComparison.Ordinal)], login[(login.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        await idp.SetEmailAsync(subject, email);
        await page.WaitForAddressAsync(idp.Issuer + "/interaction/**");
        await page.Locator("input[name=login]").FillAsync(subject);
        await page.Locator("input[name=password]").FillAsync("any password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
    }

    /// <summary>Waits for the app's callback; a failure says where the browser is instead and what it shows.</summary>
    private static async Task WaitForAppAsync(IPage page, string url, UpstreamIdp? idp = null)
    {
        try
        {
            await page.WaitForAddressAsync(url, 20_000);
        }
        catch (Exception failure) when (failure is TimeoutException or PlaywrightException)
        {
            Assert.Fail($"The browser is at {page.Url}, showing: {await page.Locator("body").InnerTextAsync()}\nProvider: {idp?.Log}");
        }
    }

    private static bool IsCallback(IResponse response) => response.Url.Contains("/callback", StringComparison.Ordinal) && response.Url.Contains("/login/upstream/", StringComparison.Ordinal);

    /// <summary>Our login page again, with the status and message of the catalog error, and the audit line with its code.</summary>
    private async Task ExpectRefusalAsync(IPage page, IResponse response, int status, string errorCode, TestOrganization organization, Guid connection, string message)
    {
        Assert.Equal(status, response.Status);
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync(message);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = Button })).ToBeVisibleAsync();
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<AuthDbContext>().AuditLog
            .Where(a => a.Action == "signin.upstream" && a.TargetId == connection.ToString()).ToListAsync();
        Assert.Contains(audit, a => a.Status == errorCode && a.OrganizationId == organization.Id);
    }

    private static Task Shot(IPage page, string device, string step) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"upstream-{device}-{step}.png"), FullPage = true });

    private sealed class BrowserHandle(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public static async Task<BrowserHandle> LaunchAsync()
        {
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = TestEnvironment.Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            });
            return new BrowserHandle(playwright, browser);
        }

        public async Task<IPage> NewPageAsync(int width, int height)
        {
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
            return await context.NewPageAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
