using System.Text.Json;
using AuthServer.Tests.Foundation;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static AuthServer.Tests.Browser.PasskeyBrowserTests;

namespace AuthServer.Tests.Browser;

/// <summary>
/// The passkey offer after an email sign-in and the account page, in headless Chromium with its virtual
/// authenticator: the offer creates a passkey that signs in on the next visit; "Not now" is remembered; the
/// account page renames and removes a passkey and ends another browser's session. Screenshots at 1280 and 390
/// pixels, English and Dutch, light and dark, each checked with axe-core.
/// </summary>
public sealed class PasskeyOfferBrowserTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    public static TheoryData<string, int, int> Viewports => new()
    {
        { "desktop", 1280, 800 },
        { "phone", 390, 844 },
    };

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task The_offer_creates_a_passkey_the_next_visit_uses_and_the_account_page_manages_it(string device, int width, int height)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var email = $"offer-{device}-{Guid.NewGuid():N}@example.com";
        var callback = fixture.AppOrigin + "/callback";
        var loginUrl = fixture.BaseUrl + LoginDriver.LoginUrl(organization, callback);
        await using var browser = await BrowserHandle.LaunchAsync();
        var laptopContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var laptop = await laptopContext.NewPageAsync();
        var authenticator = await VirtualAuthenticator.AddAsync(laptop);
        await laptop.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);");

        await SignInByCodeAsync(laptop, loginUrl, email);
        await Assertions.Expect(laptop.GetByRole(AriaRole.Heading, new() { Name = PasskeyOfferStep.Title })).ToBeVisibleAsync();
        await Assertions.Expect(laptop.GetByRole(AriaRole.Button, new() { Name = "Continue" })).ToBeHiddenAsync();
        await Shot(laptop, device, "1-offer");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Create a passkey" }).ClickAsync();
        await laptop.WaitForAddressAsync(callback + "?**");
        Assert.Contains("state=st-123", laptop.Url);
        Assert.Equal(1, await authenticator.CredentialCountAsync());

        // The next visit: the passkey button alone signs in (no email typed, no code).
        await laptop.GotoAsync(loginUrl);
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Log in with a passkey" }).ClickAsync();
        await laptop.WaitForAddressAsync(callback + "?**");
        Assert.Equal("hwk", await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.User!.Email == email).OrderByDescending(s => s.Created).Select(s => s.Method).FirstAsync()));

        // The same person on a phone: they have a passkey now, so no offer; straight to the app.
        var phoneContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var phone = await phoneContext.NewPageAsync();
        await SignInByCodeAsync(phone, loginUrl, email);
        await phone.WaitForAddressAsync(callback + "?**");
        await phone.GotoAsync(fixture.BaseUrl + "/account");
        await Assertions.Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeVisibleAsync();

        await laptop.GotoAsync(fixture.BaseUrl + "/account");
        await Assertions.Expect(laptop.GetByText("This device")).ToBeVisibleAsync();
        await Assertions.Expect(laptop.GetByRole(AriaRole.Button, new() { Name = "End session" })).ToHaveCountAsync(2);
        await Shot(laptop, device, "2-account");

        await laptop.GetByLabel("Name").FillAsync("My laptop");
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await Assertions.Expect(laptop.GetByRole(AriaRole.Status)).ToHaveTextAsync("The passkey was renamed.");
        await Assertions.Expect(laptop.GetByText("My laptop", new() { Exact = true })).ToBeVisibleAsync();

        // The phone's session (the newest other one) ends; the phone is signed out at once.
        var phoneSession = await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.User!.Email == email).OrderByDescending(s => s.Created).Select(s => s.Id).FirstAsync());
        await laptop.Locator($"form:has(input[name=id][value='{phoneSession}']) button").ClickAsync();
        await Assertions.Expect(laptop.GetByRole(AriaRole.Status)).ToContainTextAsync("The session was ended");
        await phone.ReloadAsync();
        await Assertions.Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "You are not signed in" })).ToBeVisibleAsync();
        await Shot(phone, device, "3-signed-out");

        await laptop.GetByText("Remove this passkey").ClickAsync();
        await laptop.GetByRole(AriaRole.Button, new() { Name = "Remove “My laptop”" }).ClickAsync();
        await Assertions.Expect(laptop.GetByRole(AriaRole.Status)).ToHaveTextAsync("The passkey was removed.");
        await Assertions.Expect(laptop.GetByText("You have no passkey yet.")).ToBeVisibleAsync();
        await laptop.GetByRole(AriaRole.Button, new() { Name = "End all other sessions" }).ClickAsync();
        await Assertions.Expect(laptop.GetByRole(AriaRole.Status)).ToHaveTextAsync("All other sessions were ended.");
        await Shot(laptop, device, "4-account-after");
        Assert.Equal(0, await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.CountAsync(p => p.OrganizationId == organization.Id)));
    }

    [Fact]
    public async Task Not_now_skips_and_the_next_sign_in_in_that_browser_is_not_offered_nor_where_passkeys_are_off()
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        var withoutPasskeys = await fixture.CreateOrganizationAsync("Plain Corporation", o => o.Connections.Passkey = false);
        var email = $"later-{Guid.NewGuid():N}@example.com";
        var callback = fixture.AppOrigin + "/callback";
        await using var browser = await BrowserHandle.LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });

        await SignInByCodeAsync(page, fixture.BaseUrl + LoginDriver.LoginUrl(organization, callback), email);
        await PasskeyOfferStep.DeclineAsync(page);
        await page.WaitForAddressAsync(callback + "?**");

        await SignInByCodeAsync(page, fixture.BaseUrl + LoginDriver.LoginUrl(organization, callback), email);
        await page.WaitForAddressAsync(callback + "?**");

        await SignInByCodeAsync(page, fixture.BaseUrl + LoginDriver.LoginUrl(withoutPasskeys, callback), email);
        await page.WaitForAddressAsync(callback + "?**");
    }

    public static TheoryData<string, string> Looks => new()
    {
        { "en", "light" },
        { "nl", "light" },
        { "en", "dark" },
        { "nl", "dark" },
    };

    [Theory]
    [MemberData(nameof(Looks))]
    public async Task The_offer_and_the_account_page_are_readable_and_accessible(string language, string scheme)
    {
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation");
        await using var browser = await BrowserHandle.LaunchAsync();
        foreach (var (device, width, height) in new[] { ("desktop", 1280, 800), ("phone", 390, 844) })
        {
            var context = await browser.NewContextAsync(new()
            {
                ViewportSize = new() { Width = width, Height = height },
                ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
                Locale = language == "nl" ? "nl-NL" : "en-US",
                BypassCSP = true,
            });
            var page = await context.NewPageAsync();
            await VirtualAuthenticator.AddAsync(page);
            await page.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);");
            var name = $"{language}-{scheme}-{device}";

            await page.GotoAsync(fixture.BaseUrl + "/account");
            await CheckAsync(page, $"account-signed-out-{name}");

            var email = $"look-{name}-{Guid.NewGuid():N}@example.com";
            await SignInByCodeAsync(page, fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"), email);
            await Assertions.Expect(page.Locator("#passkey-offer-create")).ToBeVisibleAsync();
            Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
            await CheckAsync(page, $"offer-{name}");

            await page.Locator("#passkey-offer-create").ClickAsync();
            await page.WaitForAddressAsync(fixture.AppOrigin + "/callback?**");
            await page.GotoAsync(fixture.BaseUrl + "/account");
            await Assertions.Expect(page.Locator(".badge")).ToBeVisibleAsync();
            await CheckAsync(page, $"account-{name}");
            await context.DisposeAsync();
        }
    }

    /// <summary>Email and code, typed; Enter submits each form (the buttons' names differ by language).</summary>
    private static async Task SignInByCodeAsync(IPage page, string loginUrl, string email)
    {
        await page.GotoAsync(loginUrl);
        // The same person signs in more than once: wait for this sign-in's email, not the last one's.
        var before = await EmailCountAsync(email);
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#email").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#code")).ToBeVisibleAsync();
        await page.Locator("#code").FillAsync(await NewCodeAsync(email, before));
        await page.Locator("#code").PressAsync("Enter");
        await page.Locator("#code").WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    private static async Task<int> EmailCountAsync(string address) =>
        (await Maildev.ListAsync()).EnumerateArray().Count(e => Maildev.Recipients(e).Contains(address, StringComparer.OrdinalIgnoreCase));

    /// <summary>The code of the email that follows the first <paramref name="before"/> ones; the email is in the page's language, and its only five-digit number is the code.</summary>
    private static async Task<string> NewCodeAsync(string address, int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await EmailCountAsync(address) <= before)
        {
            Assert.True(DateTime.UtcNow < deadline, $"No new email to {address} reached maildev.");
            await Task.Delay(200);
        }

        return System.Text.RegularExpressions.Regex.Match(await Maildev.WaitForTextAsync(address), @"\b(\d{5})\b").Groups[1].Value;
    }

    private static Task Shot(IPage page, string device, string step) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"passkey-offer-{device}-{step}.png"), FullPage = true });

    private static Task CheckAsync(IPage page, string name) => AccessibilityCheck.ScreenshotAndCheckAsync(page, name);
}
