using Microsoft.Playwright;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// In Chromium (which has WebAuthn) an email sign-in of a person without a passkey ends on the passkey offer
/// before the app: tests about something else answer it with "Not now", as a person in a hurry would.
/// </summary>
public static class PasskeyOfferStep
{
    public const string Title = "Sign in faster next time with a passkey";

    public static async Task DeclineAsync(IPage page, float timeout = 20_000)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = Title })).ToBeVisibleAsync(new() { Timeout = timeout });
        await page.GetByRole(AriaRole.Button, new() { Name = "Not now" }).ClickAsync();
    }

    /// <summary>For a sign-in that may or may not be offered one (an organization set up elsewhere): declines it if it comes.</summary>
    public static async Task DeclineIfOfferedAsync(IPage page)
    {
        // The code form is gone once the sign-in answered: either the offer or the next page is loaded.
        await page.Locator("#code").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        if (await page.Locator("form[data-passkey-offer]").CountAsync() > 0)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Not now" }).ClickAsync();
        }
    }
}
