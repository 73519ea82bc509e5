using System.Net;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Browser;

public sealed class SmtpDeliveryTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    [Fact]
    public async Task Code_is_delivered_through_a_real_smtp_server_and_signs_the_user_in()
    {
        var organization = await fixture.CreateOrganizationAsync("SMTP Org");
        var email = $"smtp-{Guid.NewGuid():N}@example.com";
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(fixture.BaseUrl) };
        var driver = new LoginDriver(client, new Outbox("/nonexistent"));

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization, fixture.AppOrigin + "/callback"));
        var codePage = await driver.SubmitEmailAsync(page, email);
        Assert.Equal(HttpStatusCode.OK, codePage.Response.StatusCode);

        var code = await Maildev.WaitForCodeAsync(email);
        var done = await driver.SubmitCodeAsync(codePage, code);

        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        Assert.StartsWith(fixture.AppOrigin + "/callback?", done.Response.Headers.Location!.ToString());
        Assert.False(string.IsNullOrEmpty(QueryHelpers.ParseQuery(done.Response.Headers.Location.Query)["code"]));
    }
}
