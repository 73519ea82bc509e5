using System.Net;
using AuthServer.Data.Entities;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Pages;

/// <summary>A server whose emailed codes and links live 25 minutes instead of the default 10.</summary>
public sealed class LongAttemptLifetimeFixture : LoginServerFixture
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Login:AttemptLifetime"] = "00:25:00" };
}

/// <summary>The page and the email state the real Login:AttemptLifetime, in the page's language.</summary>
public sealed class LifetimeShownTests(LongAttemptLifetimeFixture fixture) : IClassFixture<LongAttemptLifetimeFixture>
{
    [Theory]
    [InlineData(null, "It expires in 25 minutes.")]
    [InlineData("nl", "Hij verloopt over 25 minuten.")]
    [InlineData("de", "Er läuft in 25 Minuten ab.")]
    public async Task The_code_step_and_the_email_show_the_configured_lifetime(string? uiLocales, string sentence)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var address = $"lifetime-{uiLocales ?? "en"}@example.com";
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["ui_locales"] = uiLocales }));

        var codePage = await driver.SubmitEmailAsync(page, address);

        Assert.Equal(HttpStatusCode.OK, codePage.Response.StatusCode);
        Assert.Contains(sentence, codePage.Html);
        Assert.Contains(sentence, fixture.Outbox.LatestTo(address).TextBody);
        Assert.Contains(sentence, fixture.Outbox.LatestTo(address).HtmlBody);
    }

    [Fact]
    public async Task The_link_step_and_the_link_email_show_the_configured_lifetime()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        var sent = await driver.SubmitEmailAsync(page, "lifetime-link@example.com");

        Assert.Contains("it expires in 25 minutes.", sent.Html);
        var email = fixture.Outbox.LatestTo("lifetime-link@example.com");
        Assert.Contains("It expires in 25 minutes and works once.", email.TextBody);
        Assert.Equal("Your sign-in link for " + OrganizationName(page.Html), email.Subject);
    }

    private static string OrganizationName(string html) =>
        System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "<h1>([^<]*)</h1>").Groups[1].Value);
}
