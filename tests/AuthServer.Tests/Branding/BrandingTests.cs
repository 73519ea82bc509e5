using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Branding;

/// <summary>An organization's branding through the admin API: on its login page, in its emails, and what is refused.</summary>
public sealed class BrandingTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Branding_appears_on_the_page_and_in_the_email_in_the_default_language()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var branding = await (await admin.PutAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/branding", new
        {
            displayName = "Acme Bank",
            accentColor = "#0B6E4F",
            supportEmail = "help@acme.example",
            defaultLanguage = "nl",
            strings = new { nl = new { loginPageIntro = "Welkom bij Acme. We sturen je een code." } },
        })).ReadJsonAsync();
        Assert.Equal("#0b6e4f", branding.GetProperty("accentColor").GetString());
        Assert.Equal("#ffffff", branding.GetProperty("accentTextColor").GetString());
        var uploaded = await (await admin.PutAsync($"/api/v1/admin/organizations/{organization.Id}/branding/logo", Image(Png, "image/png"))).ReadJsonAsync();
        var logoUrl = uploaded.GetProperty("logoUrl").GetString()!;
        Assert.Matches($"^/branding/{organization.Id:N}/logo/[0-9a-f]{{64}}$", logoUrl);

        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains("<html lang=\"nl\"", page.Html);
        Assert.Contains("Welkom bij Acme. We sturen je een code.", page.Html);
        Assert.Contains($"<img class=\"logo\" src=\"{logoUrl}\"", page.Html);
        Assert.Contains("<h1>Acme Bank</h1>", page.Html);
        Assert.Contains("href=\"/branding/theme/0b6e4f-ffffff.css\"", page.Html);
        Assert.Contains("mailto:help@acme.example", page.Html);

        // The logo and the stylesheet: their URLs name their content, so they are cached for a year.
        var logo = await driver.Client.GetAsync(logoUrl);
        Assert.Equal(HttpStatusCode.OK, logo.StatusCode);
        Assert.Equal("image/png", logo.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png, await logo.Content.ReadAsByteArrayAsync());
        Assert.Equal("public, max-age=31536000, immutable", logo.Headers.CacheControl!.ToString());
        Assert.Equal("nosniff", logo.Headers.GetValues("X-Content-Type-Options").Single());
        var theme = await driver.Client.GetAsync("/branding/theme/0b6e4f-ffffff.css");
        Assert.Equal(HttpStatusCode.OK, theme.StatusCode);
        Assert.Contains("--accent: #0b6e4f", await theme.Content.ReadAsStringAsync());

        await driver.SubmitEmailAsync(page, "branded@example.com");
        var email = fixture.Outbox.LatestTo("branded@example.com");
        var code = Regex.Match(email.TextBody, @"\b(\d{5})\b").Groups[1].Value;
        Assert.Equal($"{code} is je inlogcode voor Acme Bank", email.Subject);
        Assert.Contains("Je inlogcode voor Acme Bank is " + code, email.TextBody);
        Assert.Contains("verloopt over 10 minuten", email.TextBody);
        Assert.Contains("help@acme.example", email.TextBody);
        Assert.Contains($"src=\"http://localhost{logoUrl}\"", email.HtmlBody);
        Assert.Contains("<html lang=\"nl\"", email.HtmlBody);
    }

    [Fact]
    public async Task An_https_logo_url_is_shown_and_allowed_by_the_page_csp()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        await (await admin.PutAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/branding",
            new { logoUrl = "https://cdn.acme.example/logo.png", supportUrl = "https://acme.example/help" })).ReadJsonAsync();

        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        Assert.Contains("src=\"https://cdn.acme.example/logo.png\"", page.Html);
        Assert.Contains("href=\"https://acme.example/help\"", page.Html);
        Assert.Contains("img-src 'self' data: https://cdn.acme.example;", page.Response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Without_branding_the_page_has_no_logo_no_theme_and_a_csp_without_other_origins()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        Assert.DoesNotContain("class=\"logo\"", page.Html);
        Assert.DoesNotContain("/branding/", page.Html);
        Assert.Contains("img-src 'self' data:;", page.Response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("svg", "image/svg+xml")]
    [InlineData("svg", "image/png")]
    [InlineData("gif", "image/gif")]
    [InlineData("html", "image/png")]
    [InlineData("oversized", "image/png")]
    [InlineData("empty", "image/png")]
    public async Task A_logo_that_is_not_a_small_png_jpeg_or_webp_is_refused(string kind, string contentType)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        byte[] body = kind switch
        {
            "svg" => Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>"),
            "gif" => Encoding.ASCII.GetBytes("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            "html" => Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>"),
            "oversized" => [.. Png, .. new byte[60 * 1024]],
            _ => [],
        };

        var response = await admin.PutAsync($"/api/v1/admin/organizations/{organization.Id}/branding/logo", Image(body, contentType));

        await response.AssertDetailsAsync("entityInvalid", "body");
        var branding = await (await admin.GetAsync($"/api/v1/admin/organizations/{organization.Id}/branding")).ReadJsonAsync();
        Assert.False(branding.GetProperty("logoUploaded").GetBoolean());
    }

    [Fact]
    public async Task A_logo_over_the_body_limit_is_entityTooLarge()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();

        var response = await admin.PutAsync($"/api/v1/admin/organizations/{organization.Id}/branding/logo", Image([.. Png, .. new byte[200 * 1024]], "image/png"));

        await response.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "entityTooLarge");
    }

    [Theory]
    [InlineData("#9ab0ff", null, "accentColor")]        // 2.2:1 under white text
    [InlineData("#ffd400", null, "accentColor")]        // yellow under white text
    [InlineData("#1a1a1a", "#000000", "accentColor")]   // black on near-black
    [InlineData("blue", null, "accentColor")]
    [InlineData("#0b6e4f", "#ff0000", "accentTextColor")]
    public async Task An_accent_colour_with_poor_contrast_or_no_colour_is_refused(string accent, string? text, string location)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();

        var response = await admin.PutAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/branding", new { accentColor = accent, accentTextColor = text });

        await response.AssertDetailsAsync("entityInvalid", location);
    }

    [Fact]
    public async Task A_light_accent_with_black_text_passes_the_contrast_check()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();

        var branding = await (await admin.PutAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/branding",
            new { accentColor = "#ffd400", accentTextColor = "#000000" })).ReadJsonAsync();

        Assert.Equal("#ffd400", branding.GetProperty("accentColor").GetString());
        // A URL asking for unreadable colours draws nothing.
        using var client = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/branding/theme/ffd400-ffffff.css")).StatusCode);
    }

    [Fact]
    public async Task Every_bad_field_is_named_in_details()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();

        var response = await admin.PutAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/branding", new
        {
            displayName = "",
            logoUrl = "http://cdn.acme.example/logo.png",
            supportUrl = "javascript:alert(1)",
            supportEmail = "not an address",
            defaultLanguage = "fr",
            strings = new Dictionary<string, Dictionary<string, string>>
            {
                ["nl"] = new() { ["noSuchKey"] = "x", ["continue"] = "" },
                ["xx"] = new() { ["continue"] = "y" },
            },
        });

        await response.AssertDetailsAsync("entityInvalid", "displayName", "logoUrl", "supportUrl", "supportEmail", "defaultLanguage",
            "strings.nl.noSuchKey", "strings.nl.continue", "strings.xx");
    }

    [Fact]
    public async Task A_scoped_key_cannot_brand_another_organization()
    {
        var mine = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin(await fixture.CreateKeyAsync("scoped", mine.Id));

        var response = await admin.PutAsJsonAsync($"/api/v1/admin/organizations/{other.Id}/branding", new { displayName = "Not mine" });

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    private static ByteArrayContent Image(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }
}
