using System.Net;
using AuthServer.Features.Login.Email;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Admin;

public sealed class MailLogTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Lists_sent_sign_in_emails_of_an_organization_without_their_content()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = fixture.Driver();
        await driver.SignInAsync(organization, "mail-log-a@example.com");
        await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), "mail-log-b@example.com");
        var code = fixture.Outbox.LatestCodeFor("mail-log-b@example.com");
        using var admin = fixture.Admin();

        var response = await admin.GetAsync($"/api/v1/admin/mail_log?organizationId={organization.Id}&limitPerPage=1");
        var text = await response.Content.ReadAsStringAsync();
        var page = await response.ReadJsonAsync();

        Assert.Equal(2, page.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        Assert.Equal(2, page.GetProperty("pager").GetProperty("pages").GetInt32());
        var newest = Assert.Single(page.GetProperty("data").EnumerateArray());
        Assert.Equal("mail-log-b@example.com", newest.Str("recipient"));
        Assert.Equal(organization.Id, newest.GetGuid("organizationId"));
        Assert.Equal(EmailOutbox.Kinds.SignInCode, newest.Str("kind"));
        Assert.Equal("sent", newest.Str("status"));
        Assert.Equal(1, newest.GetProperty("attempts").GetInt32());
        Assert.False(newest.TryGetProperty("lastError", out _));
        Assert.DoesNotContain(code, text, StringComparison.Ordinal);

        var filtered = await (await admin.GetAsync($"/api/v1/admin/mail_log?organizationId={organization.Id}&recipient=MAIL-LOG-A@example.com&status=sent")).ReadJsonAsync();
        Assert.Equal("mail-log-a@example.com", Assert.Single(filtered.GetProperty("data").EnumerateArray()).Str("recipient"));
        var none = await (await admin.GetAsync($"/api/v1/admin/mail_log?organizationId={organization.Id}&status=failed")).ReadJsonAsync();
        Assert.Empty(none.GetProperty("data").EnumerateArray());

        // Once sent, nothing of the message is left in the table.
        Assert.True(await fixture.Factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.OrganizationId == organization.Id).AllAsync(e => e.ProtectedContent == null)));
    }

    [Fact]
    public async Task A_scoped_key_sees_its_own_organization_only()
    {
        var mine = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        var driver = fixture.Driver();
        await driver.SignInAsync(mine, "scoped-mail@example.com");
        await driver.SignInAsync(other, "other-mail@example.com");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("mail scoped", mine.Id));

        var own = await (await scoped.GetAsync("/api/v1/admin/mail_log")).ReadJsonAsync();
        Assert.All(own.GetProperty("data").EnumerateArray(), e => Assert.Equal(mine.Id, e.GetGuid("organizationId")));
        Assert.Contains(own.GetProperty("data").EnumerateArray(), e => e.Str("recipient") == "scoped-mail@example.com");

        await (await scoped.GetAsync($"/api/v1/admin/mail_log?organizationId={other.Id}")).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Theory]
    [InlineData("pageIndex=-1", "pageIndex")]
    [InlineData("limitPerPage=0", "limitPerPage")]
    [InlineData("limitPerPage=101&pageIndex=x", "limitPerPage", "pageIndex")]
    [InlineData("status=bounced", "status")]
    [InlineData("organizationId=not-a-uuid&limitPerPage=1000", "organizationId", "limitPerPage")]
    public async Task Bad_filters_or_paging_answer_entityInvalid_naming_each_parameter(string query, params string[] locations)
    {
        using var admin = fixture.Admin();

        await (await admin.GetAsync("/api/v1/admin/mail_log?" + query)).AssertDetailsAsync("entityInvalid", locations);
    }

    [Fact]
    public async Task Without_a_valid_key_the_mail_log_is_refused()
    {
        using var anonymous = fixture.Anonymous();
        await (await anonymous.GetAsync("/api/v1/admin/mail_log")).AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        using var wrong = fixture.Admin("ak_wrong");
        await (await wrong.GetAsync("/api/v1/admin/mail_log")).AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }
}
