using System.Text.RegularExpressions;
using AuthServer.Data.Entities;
using AuthServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AuthServer.Tests.Browser;

/// <summary>
/// The emailed link in headless Chromium with the real SMTP server: opened in a second browser (another device),
/// approved with the number both show, and the first browser, which waited on its own, lands on the app. Then the
/// proof of work the email step asks for after many attempts, solved by the page's own script. Screenshots of
/// every new page at desktop and phone widths.
/// </summary>
public sealed partial class EmailLinkBrowserTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    public static TheoryData<string, int, int> Viewports => new()
    {
        { "desktop", 1280, 800 },
        { "phone", 390, 844 },
    };

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task A_link_opened_on_another_device_is_approved_there_and_signs_in_the_waiting_browser(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation", o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        var email = $"link-{device}-{Guid.NewGuid():N}@example.com";
        await using var browser = await LaunchAsync();
        var viewport = new BrowserNewContextOptions { ViewportSize = new() { Width = width, Height = height } };
        await using var laptop = await browser.NewContextAsync(viewport);
        await using var phone = await browser.NewContextAsync(viewport);
        var trail = BrowserTrail.Follow(("laptop", laptop), ("phone", phone));
        var waiting = await laptop.NewPageAsync();
        await trail.ExplainingFailuresAsync($"link-other-device-{device}", async () =>
        {
            await waiting.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
            await waiting.GetByLabel("Email address").FillAsync(email);
            await waiting.Keyboard.PressAsync("Enter");
            var number = waiting.Locator("#approval-number");
            await Assertions.Expect(number).ToHaveTextAsync(NumberPattern());
            var shown = await number.TextContentAsync();
            await Assertions.Expect(waiting.GetByRole(AriaRole.Status)).ToContainTextAsync("Waiting");
            await Shot(waiting, device, "1-waiting");

            var link = LinkPattern().Match(await Maildev.WaitForTextAsync(email)).Value;
            var approving = await phone.NewPageAsync();
            await approving.GotoAsync(link);
            await Assertions.Expect(approving.GetByRole(AriaRole.Heading, new() { Name = "Approve sign-in on the other device?" })).ToBeVisibleAsync();
            await Assertions.Expect(approving.Locator("#approval-number")).ToHaveTextAsync(shown!);
            await Shot(approving, device, "2-approve");

            await approving.GetByRole(AriaRole.Button, new() { Name = "Approve sign-in" }).ClickAsync();
            await Assertions.Expect(approving.GetByText("You can close this page")).ToBeVisibleAsync();
            await Shot(approving, device, "3-approved");

            // The laptop's page polls and lands on the app by itself, with the code; the phone got no session.
            await PasskeyOfferStep.DeclineAsync(waiting);
            await waiting.WaitForAddressAsync(fixture.AppOrigin + "/callback?**", 20_000);
            Assert.Contains("code=", waiting.Url);
            Assert.DoesNotContain(await phone.CookiesAsync(), c => c.Name.Contains("session", StringComparison.Ordinal));
        });
    }

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task The_same_browser_signs_in_with_one_button_and_this_was_not_me_cancels(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation", o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        await using var browser = await LaunchAsync();
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var trail = BrowserTrail.Follow(("browser", context));
        var page = await context.NewPageAsync();
        await trail.ExplainingFailuresAsync($"link-same-device-{device}", async () =>
        {
            var email = $"same-{device}-{Guid.NewGuid():N}@example.com";
            await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
            await page.GetByLabel("Email address").FillAsync(email);
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#approval-number")).ToBeVisibleAsync();
            await page.GotoAsync(LinkPattern().Match(await Maildev.WaitForTextAsync(email)).Value);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Acme Corporation" })).ToBeVisibleAsync();
            await Shot(page, device, "4-same-device");
            await page.GetByRole(AriaRole.Button, new() { Name = "This wasn't me" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in cancelled" })).ToBeVisibleAsync();
            await Shot(page, device, "5-declined");

            var second = $"same2-{device}-{Guid.NewGuid():N}@example.com";
            await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
            await page.GetByLabel("Email address").FillAsync(second);
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("#approval-number")).ToBeVisibleAsync();
            await page.GotoAsync(LinkPattern().Match(await Maildev.WaitForTextAsync(second)).Value);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in to Acme Corporation" }).ClickAsync();
            await PasskeyOfferStep.DeclineAsync(page);
            await page.WaitForAddressAsync(fixture.AppOrigin + "/callback?**");
            Assert.Contains("code=", page.Url);
        });
    }

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task The_page_solves_the_proof_of_work_by_itself_after_the_threshold(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation", o => o.Settings.ProofOfWorkThreshold = 1);
        var email = $"pow-{device}-{Guid.NewGuid():N}@example.com";
        await using var browser = await LaunchAsync();
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        await page.GetByLabel("Email address").FillAsync(email);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync();

        // The second email is over the threshold: the page gets a puzzle, solves it and sends by itself.
        await page.GetByRole(AriaRole.Link, new() { Name = "Use a different email address" }).ClickAsync();
        await page.RouteAsync("**/login/assets/login.js", async route =>
        {
            // Held back once, so the screenshot shows the check as a person sees it before the script is done.
            await Task.Delay(1500);
            await route.ContinueAsync();
        });
        await page.GetByLabel("Email address").FillAsync(email);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("security check");
        await Shot(page, device, "6-proof-of-work");
        await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Shot(page, device, "7-after-proof-of-work");
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
        page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"link-{device}-{step}.png"), FullPage = true });

    [GeneratedRegex(@"https?://\S+/login/link\?\S+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("^[0-9]{2}$")]
    private static partial Regex NumberPattern();

    private sealed class BrowserHandle(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
    {
        public Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options) => browser.NewContextAsync(options);

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
