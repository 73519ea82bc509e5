using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;

namespace AuthServer.Tests.Browser;

/// <summary>
/// Passkeys in headless Chromium with its WebAuthn virtual authenticator (a platform authenticator that
/// holds discoverable credentials and verifies the user): register after the emailed code, sign out, sign
/// in again with the passkey only. http://localhost is a secure context, so WebAuthn works on the Kestrel
/// fixture with rp id "localhost". Screenshots of every step at desktop and phone widths.
/// </summary>
public sealed class PasskeyBrowserTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    public static TheoryData<string, int, int> Viewports => new()
    {
        { "desktop", 1280, 800 },
        { "phone", 390, 844 },
    };

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Person_registers_a_passkey_after_the_email_code_then_signs_in_with_it_alone(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var email = $"grace-{device}-{Guid.NewGuid():N}@example.com";
        var callback = fixture.AppOrigin + "/callback";
        var loginUrl = fixture.BaseUrl + LoginDriver.LoginUrl(organization, callback);
        using var app = new LoginDriver(new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) }, new Outbox(Path.GetTempPath()));
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var authenticator = await VirtualAuthenticator.AddAsync(page);

        await page.GotoAsync(loginUrl);
        var passkeyButton = page.GetByRole(AriaRole.Button, new() { Name = "Log in with a passkey" });
        await Assertions.Expect(passkeyButton).ToBeVisibleAsync();
        await Shot(page, device, "1-login");

        // No passkey on this device yet: the browser's dialog ends without one, and the page says so.
        await passkeyButton.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No passkey was used", new() { Timeout = 10_000 });
        await Shot(page, device, "2-no-passkey");

        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register a new passkey" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync();
        await Shot(page, device, "3-register-code");

        // A wrong code is refused by the server; the script shows its message next to the field.
        var code = await Maildev.WaitForCodeAsync(email);
        await page.GetByLabel("Code").FillAsync(code == "00000" ? "11111" : "00000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create passkey" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Shot(page, device, "4-register-wrong-code");

        await page.GetByLabel("Code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create passkey" }).ClickAsync();
        await page.WaitForAddressAsync(callback + "?**");
        await Shot(page, device, "5-registered");
        Assert.Equal(1, await authenticator.CredentialCountAsync());
        var accessToken = await VerifyAsync(app, organization, page.Url, callback);
        Assert.Equal(HttpStatusCode.OK, (await app.LogoutAsync(organization, accessToken)).StatusCode);

        // Signed out, back on the login page: passkey autofill (conditional mediation) signs in at once, as
        // Chromium's virtual authenticator picks its only passkey the way a person picks it from the list.
        await page.GotoAsync(loginUrl);
        await page.WaitForAddressAsync(callback + "?**");
        accessToken = await VerifyAsync(app, organization, page.Url, callback);
        Assert.Equal(HttpStatusCode.OK, (await app.LogoutAsync(organization, accessToken)).StatusCode);

        // The button alone (autofill unavailable, as in browsers without it): one touch, no email typed.
        await page.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);");
        await page.GotoAsync(loginUrl);
        await passkeyButton.ClickAsync();
        await page.WaitForAddressAsync(callback + "?**");
        await Shot(page, device, "6-signed-in-with-passkey");
        await VerifyAsync(app, organization, page.Url, callback);
    }

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Register_clicked_first_with_an_empty_field_stays_a_registration_and_creates_a_passkey(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var email = $"first-{device}-{Guid.NewGuid():N}@example.com";
        var callback = fixture.AppOrigin + "/callback";
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var authenticator = await VirtualAuthenticator.AddAsync(page);
        await page.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);");

        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, callback));
        await page.GetByRole(AriaRole.Button, new() { Name = "Register a new passkey" }).ClickAsync();

        // Still registering: the page asks for the address, and its only button (Enter) sends the code for the passkey.
        var send = page.GetByRole(AriaRole.Button, new() { Name = "Send code to create a passkey" });
        await Assertions.Expect(send).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("valid email");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Continue" })).ToHaveCountAsync(0);
        await Shot(page, device, "7-register-mode");

        await page.GetByLabel("Email address").FillAsync(email);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create passkey" })).ToBeVisibleAsync();
        await page.GetByLabel("Code").FillAsync(await Maildev.WaitForCodeAsync(email));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForAddressAsync(callback + "?**");
        Assert.Equal(1, await authenticator.CredentialCountAsync());
    }

    /// <summary>The app's side: the code in the callback URL verifies; returns the access token.</summary>
    private static async Task<string> VerifyAsync(LoginDriver app, TestOrganization organization, string url, string callback)
    {
        var query = QueryHelpers.ParseQuery(new Uri(url).Query);
        Assert.Equal("st-123", query["state"]);
        var response = await app.VerifyAsync(organization, query["code"]!, callback);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!;
    }

    private static Task Shot(IPage page, string device, string step) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"passkey-{device}-{step}.png"), FullPage = true });

    /// <summary>Chromium's WebAuthn virtual authenticator, through the DevTools protocol.</summary>
    internal sealed class VirtualAuthenticator(ICDPSession cdp, string id)
    {
        public static async Task<VirtualAuthenticator> AddAsync(IPage page)
        {
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("WebAuthn.enable");
            var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
            {
                ["options"] = new Dictionary<string, object>
                {
                    ["protocol"] = "ctap2",
                    ["transport"] = "internal",
                    ["hasResidentKey"] = true,
                    ["hasUserVerification"] = true,
                    ["isUserVerified"] = true,
                },
            });
            return new VirtualAuthenticator(cdp, added!.Value.GetProperty("authenticatorId").GetString()!);
        }

        public async Task<int> CredentialCountAsync()
        {
            var credentials = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = id });
            return credentials!.Value.GetProperty("credentials").GetArrayLength();
        }
    }

    internal sealed class BrowserHandle(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
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

        public Task<IPage> NewPageAsync(BrowserNewPageOptions options) => browser.NewPageAsync(options);

        public Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options) => browser.NewContextAsync(options);

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
