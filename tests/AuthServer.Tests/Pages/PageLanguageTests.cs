using System.Net;
using AuthServer.Errors;
using AuthServer.Tests.Infrastructure;
using AuthServer.Tests.Login;

namespace AuthServer.Tests.Pages;

/// <summary>The language of a page: the app's ui_locales, then the browser's Accept-Language, then English.</summary>
public sealed class PageLanguageTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Theory]
    [InlineData("nl", null, "nl", "E-mailadres")]
    [InlineData("fr-CA de", null, "de", "E-Mail-Adresse")]
    [InlineData(null, "de-DE,de;q=0.9,en;q=0.5", "de", "E-Mail-Adresse")]
    [InlineData(null, "fr;q=1, en;q=0.2, nl-BE;q=0.8", "nl", "E-mailadres")]
    [InlineData("nl-BE", "de", "nl", "E-mailadres")]
    [InlineData("fr", "es", "en", "Email address")]
    [InlineData(null, "not a ;;; header", "en", "Email address")]
    public async Task Ui_locales_then_accept_language_pick_the_language_of_the_login_page(string? uiLocales, string? acceptLanguage, string lang, string label)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        if (acceptLanguage is not null)
        {
            driver.Client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["ui_locales"] = uiLocales }));

        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains($"<html lang=\"{lang}\" dir=\"ltr\">", page.Html);
        Assert.Contains($">{label}</label>", page.Html);
        Assert.Equal(lang, page.Response.Content.Headers.ContentLanguage.Single());
    }

    [Fact]
    public async Task The_error_page_follows_the_browser_language()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        driver.Client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", "nl-NL");

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["client_id"] = null }));

        LoginAssertions.AssertErrorPage(page, HttpStatusCode.BadRequest, "organizationIdMissing");
        Assert.Contains("<html lang=\"nl\"", page.Html);
        Assert.Contains("We konden je niet inloggen", page.Html);
        // The catalog's message too, not only the page's own strings.
        Assert.Contains("De organisatie-id ontbreekt of is onbekend.", page.Html);
        Assert.DoesNotContain(ErrorCatalog.OrganizationIdMissing.Description, page.Html);
    }

    [Fact]
    public async Task A_wrong_code_is_told_in_the_language_of_the_page()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        driver.Client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", "de");
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await driver.SubmitEmailAsync(page, "sprache@example.com");

        var refused = await driver.SubmitCodeAsync(codePage, "000000");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Response.StatusCode);
        Assert.Contains("Der Code ist falsch oder nicht mehr g", refused.Html);
        Assert.DoesNotContain(ErrorCatalog.LoginAttemptInvalid.Description, refused.Html);
    }
}
