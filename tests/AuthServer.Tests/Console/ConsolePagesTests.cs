using AuthServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AuthServer.Tests.Console;

/// <summary>
/// Every console page at desktop and phone widths: screenshots (artifacts/screenshots/console-*.png, looked at),
/// no serious or critical axe-core violation, and no CSP report or script error in the browser's console.
/// </summary>
public sealed class ConsolePagesTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    public static TheoryData<string, int, int> Viewports => new()
    {
        { "desktop", 1280, 800 },
        { "phone", 390, 844 },
    };

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Every_page_is_readable_and_accessible(string device, int width, int height)
    {
        await using var driver = new ConsoleDriver(fixture);
        var email = await driver.AddAdministratorAsync("tour-" + device);
        var organization = await fixture.CreateOrganizationAsync("Acme Corporation " + device, o => o.RedirectUris = [fixture.AppOrigin + "/signin-oidc"]);
        var (userId, _, userEmail) = await driver.CreateUserWithSessionAndPasskeyAsync(organization.Id);
        var page = await driver.NewPageAsync(width, height);
        var violations = new List<string>();

        async Task VisitAsync(string name)
        {
            await ConsoleDriver.ShotAsync(page, device, name);
            violations.AddRange((await ConsoleDriver.SeriousAccessibilityViolationsAsync(page)).Select(v => $"{name}: {v}"));
        }

        // A wrong code first, so the dashboard has a failure to draw.
        await driver.SignInAsAdministratorAsync(page, email, wrongCodeFirst: "00000");
        await VisitAsync("1-dashboard");

        await page.GotoAsync(fixture.BaseUrl + "/admin/organizations");
        await page.GetByLabel("Name", new() { Exact = true }).Last.FillAsync("Tour " + device);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create organization" }).ClickAsync();
        await Assertions.Expect(page.Locator("#new-secret")).ToBeVisibleAsync();
        await VisitAsync("2-organizations-created");

        await page.GotoAsync($"{fixture.BaseUrl}/admin/organizations/{organization.Id}");
        await page.GetByLabel("Origin", new() { Exact = true }).FillAsync("not an origin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add origin" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("entityInvalid");
        await VisitAsync("3-organization-error");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate the secret" }).ClickAsync();
        await Assertions.Expect(page.Locator("#new-secret")).ToBeVisibleAsync();
        await page.GetByText("Activate the new secret…").ClickAsync();
        await VisitAsync("4-organization-rotated");

        await page.GotoAsync($"{fixture.BaseUrl}/admin/users?organization={organization.Id}");
        await VisitAsync("5-users");
        await page.GotoAsync($"{fixture.BaseUrl}/admin/users/{userId}");
        await page.GetByText("Revoke all sessions…").ClickAsync();
        await VisitAsync("6-user");

        await page.GotoAsync(fixture.BaseUrl + "/admin/api-keys");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("deploy " + device);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#new-key")).ToContainTextAsync("ak_");
        await VisitAsync("7-api-keys");

        await page.GotoAsync(fixture.BaseUrl + "/admin/administrators");
        await page.GetByLabel("Email address").FillAsync($"helper-{device}-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Acme Corporation " + device).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("is now an administrator of Acme Corporation " + device);
        await VisitAsync("7b-administrators");

        await page.GotoAsync(fixture.BaseUrl + "/admin/audit");
        await VisitAsync("8-audit-log");
        await page.GotoAsync(fixture.BaseUrl + "/admin/audit?from=yesterday");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("entityInvalid");
        await page.GotoAsync(fixture.BaseUrl + "/admin/mail?recipient=" + Uri.EscapeDataString(email));
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = email })).ToHaveCountAsync(1);
        await VisitAsync("9-mail-log");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync();
        await VisitAsync("10-signed-out");
        await page.GotoAsync(fixture.BaseUrl + "/admin");
        await page.WaitForAddressAsync("**/login?**");

        Assert.Empty(violations);
        Assert.Empty(driver.ConsoleErrors);
        _ = userEmail;
    }
}
