using AuthServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AuthServer.Tests.Browser;

/// <summary>
/// The hosted login page in headless Chromium, as a person uses it: type the email, read the code from
/// the email the real SMTP server received, type it, land on the app. Screenshots of every step, at
/// desktop and phone widths, go to the artifacts folder.
/// </summary>
public sealed class LoginPageBrowserTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    public static TheoryData<string, int, int> Viewports => new()
    {
        { "desktop", 1280, 800 },
        { "phone", 390, 844 },
    };

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Person_signs_in_with_the_emailed_code(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var email = $"ada-{device}-{Guid.NewGuid():N}@example.com";
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });

        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acme Corporation" })).ToBeVisibleAsync();
        await Shot(page, device, "1-email");

        // A malformed address is refused on the page, next to the field.
        await page.GetByLabel("Email address").FillAsync("not-an-email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("valid email");
        await Shot(page, device, "2-email-error");

        await page.GetByLabel("Email address").FillAsync(email);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync();
        await Shot(page, device, "3-code");

        await page.GetByLabel("Code").FillAsync("00000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Shot(page, device, "4-code-error");

        var code = await Maildev.WaitForCodeAsync(email);
        await page.GetByLabel("Code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Signed in; Chromium has WebAuthn, so a passkey is offered first (Browser/PasskeyOfferBrowserTests).
        await PasskeyOfferStep.DeclineAsync(page);

        await page.WaitForAddressAsync(fixture.AppOrigin + "/callback?**");
        Assert.Contains("code=", page.Url);
        Assert.Contains("state=st-123", page.Url);
        await Shot(page, device, "5-callback");
    }

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Untrusted_client_sees_an_error_page(string device, int width, int height)
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });

        var response = await page.GotoAsync(fixture.BaseUrl + "/login?client_id=" + Guid.NewGuid() + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb");

        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.Locator("code").First).ToHaveTextAsync("organizationIdMissing");
        await Shot(page, device, "6-error-page");
    }

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Standard_face_error_and_signed_out_pages_are_readable(string device, int width, int height)
    {
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });

        // A request OpenIddict refuses before it may redirect (an unregistered redirect URI): shown, not redirected.
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation", o => o.RedirectUris = [fixture.AppOrigin + "/callback"]);
        var refused = await page.GotoAsync(fixture.BaseUrl + Infrastructure.OidcDriver.AuthorizeUrl(organization, fixture.AppOrigin + "/elsewhere"));
        Assert.Equal(400, refused!.Status);
        await Assertions.Expect(page.Locator("code").First).ToHaveTextAsync("invalid_request");
        await Shot(page, device, "7-oidc-error");

        var signedOut = await page.GotoAsync(fixture.BaseUrl + "/connect/endsession");
        Assert.Equal(200, signedOut!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();
        await Shot(page, device, "8-signed-out");
    }

    private static async Task<BrowserHandle> LaunchAsync()
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

    private static Task Shot(IPage page, string device, string step) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"login-{device}-{step}.png"), FullPage = true });

    private sealed class BrowserHandle(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public Task<IPage> NewPageAsync(BrowserNewPageOptions options) => browser.NewPageAsync(options);

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
