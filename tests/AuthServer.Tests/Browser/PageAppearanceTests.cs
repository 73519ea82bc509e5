using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Tests.Foundation;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AuthServer.Tests.Browser;

/// <summary>
/// The hosted pages in Chromium in light and dark mode, English and Dutch, with and without an organization's
/// branding, at desktop and phone widths: a screenshot of each (artifacts/screenshots/appearance-*.png) and an
/// axe-core check with no serious or critical violation (colour contrast included).
/// </summary>
public sealed class PageAppearanceTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    public static TheoryData<string, string, string> Combinations()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var branded in new[] { "plain", "branded" })
        {
            foreach (var language in new[] { "en", "nl" })
            {
                foreach (var scheme in new[] { "light", "dark" })
                {
                    data.Add(branded, language, scheme);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Every_page_is_readable_and_accessible(string branded, string language, string scheme)
    {
        var organization = await fixture.CreateOrganizationAsync(branded == "branded" ? "Acme" : "Acme Corporation");
        if (branded == "branded")
        {
            await BrandAsync(organization.Id);
        }

        var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = TestEnvironment.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        try
        {
            foreach (var (device, width, height) in new[] { ("desktop", 1280, 800), ("phone", 390, 844) })
            {
                // The browser's language reaches the server as Accept-Language; axe is injected past the page's CSP.
                await using var context = await browser.NewContextAsync(new()
                {
                    ViewportSize = new() { Width = width, Height = height },
                    ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
                    Locale = language == "nl" ? "nl-NL" : "en-US",
                    BypassCSP = true,
                });
                var page = await context.NewPageAsync();
                var name = $"{branded}-{language}-{scheme}-{device}";

                await page.GotoAsync(fixture.BaseUrl + LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
                Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
                await CheckAsync(page, name + "-1-email");

                var field = page.GetByLabel(language == "nl" ? "E-mailadres" : "Email address");
                await field.FillAsync("not-an-email");
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
                await CheckAsync(page, name + "-2-email-error");

                await page.GetByLabel(language == "nl" ? "E-mailadres" : "Email address").FillAsync($"look-{name}@example.com");
                await page.Keyboard.PressAsync("Enter");
                await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync();
                await CheckAsync(page, name + "-3-code");

                await page.GotoAsync(fixture.BaseUrl + "/login?client_id=" + Guid.NewGuid());
                await CheckAsync(page, name + "-4-error");
            }
        }
        finally
        {
            playwright.Dispose();
        }
    }

    private static Task CheckAsync(IPage page, string name) => AccessibilityCheck.ScreenshotAndCheckAsync(page, name);

    /// <summary>Brands the organization through the admin API, as an operator would.</summary>
    private async Task BrandAsync(Guid organizationId)
    {
        string key;
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            key = (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("branding", null, AuditActor.CommandLine(), CancellationToken.None)).Value!.Key;
        }

        using var client = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var branding = await client.PutAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/branding", new
        {
            displayName = "Acme Bank",
            accentColor = "#0b6e4f",
            supportUrl = "https://acme.example/help",
            strings = new { nl = new { loginPageIntro = "Log in met je e-mailadres van Acme Bank. We sturen je een code." } },
        });
        Assert.True(branding.IsSuccessStatusCode, await branding.Content.ReadAsStringAsync());
        var logo = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(DocsTests.RepositoryRoot(), "tests", "AuthServer.Tests", "Branding", "acme-logo.png")));
        logo.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var uploaded = await client.PutAsync($"/api/v1/admin/organizations/{organizationId}/branding/logo", logo);
        Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
    }
}
