using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Admin;

public sealed class AuditLogTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Every_admin_change_is_recorded_with_actor_action_target_and_status()
    {
        var created = await fixture.CreateOrganizationViaApiAsync();
        var organizationId = created.GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();
        var keyId = await CallerKeyIdAsync(admin);
        var user = await fixture.CreateUserViaApiAsync(organizationId, "audited@example.com");
        var userId = user.GetGuid("id");
        await (await admin.PatchAsJsonAsync($"/api/v1/admin/organizations/{organizationId}", new { name = "Audited" })).ReadJsonAsync();
        await (await admin.PostAsync($"/api/v1/admin/organizations/{organizationId}/rotate_secret", null)).ReadJsonAsync();
        await (await admin.PostAsync($"/api/v1/admin/organizations/{organizationId}/activate_secret", null)).ReadJsonAsync();
        await (await admin.PatchAsJsonAsync($"/api/v1/admin/users/{userId}", new { blocked = true })).ReadJsonAsync();
        await (await admin.PostAsync($"/api/v1/admin/users/{userId}/revoke_sessions", null)).ReadJsonAsync();
        var passkey = await PasskeyAdminTests.AddPasskeyAsync(fixture, userId, organizationId, "Key");
        await (await admin.PatchAsJsonAsync($"/api/v1/admin/passkeys/{passkey}", new { name = "Renamed" })).ReadJsonAsync();
        await (await admin.DeleteAsync($"/api/v1/admin/passkeys/{passkey}")).AssertNoContentAsync();
        await (await admin.DeleteAsync($"/api/v1/admin/users/{userId}")).AssertNoContentAsync();
        var apiKey = await (await admin.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = "audited", organizationId })).ReadJsonAsync(HttpStatusCode.Created);
        await (await admin.DeleteAsync($"/api/v1/admin/api_keys/{apiKey.GetGuid("id")}")).AssertNoContentAsync();
        await (await admin.DeleteAsync($"/api/v1/admin/organizations/{organizationId}")).AssertNoContentAsync();

        var entries = await (await admin.GetAsync($"/api/v1/admin/audit_log?organizationId={organizationId}&limitPerPage=100")).ReadJsonAsync();

        var actions = entries.GetProperty("data").EnumerateArray().Select(e => (e.Str("action"), e.Str("targetType"), e.Str("targetId"))).Reverse().ToList();
        Assert.Equal(
        [
            ("organization.create", "organization", organizationId.ToString()),
            ("user.create", "user", userId.ToString()),
            ("organization.update", "organization", organizationId.ToString()),
            ("organization.rotateSecret", "organization", organizationId.ToString()),
            ("organization.activateSecret", "organization", organizationId.ToString()),
            ("user.update", "user", userId.ToString()),
            ("user.revokeSessions", "user", userId.ToString()),
            ("passkey.rename", "passkey", passkey),
            ("passkey.delete", "passkey", passkey),
            ("user.delete", "user", userId.ToString()),
            ("apiKey.create", "apiKey", apiKey.Str("id")),
            ("apiKey.delete", "apiKey", apiKey.Str("id")),
            ("organization.delete", "organization", organizationId.ToString()),
        ], actions);
        Assert.All(entries.GetProperty("data").EnumerateArray(), e =>
        {
            Assert.Equal("apiKey", e.Str("actorType"));
            Assert.Equal(keyId, e.Str("actorId"));
            Assert.Equal("success", e.Str("status"));
        });
    }

    [Fact]
    public async Task A_successful_sign_in_is_recorded_with_the_user_and_the_session()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "signin-ok@example.com");
        using var admin = fixture.Admin();
        var userId = await SessionAdminTests.UserIdAsync(admin, organization, "signin-ok@example.com");
        var sessionId = (await (await admin.GetAsync($"/api/v1/admin/users/{userId}/sessions")).ReadJsonAsync()).GetProperty("data")[0].Str("id");

        var entries = await (await admin.GetAsync($"/api/v1/admin/audit_log?action=signin.email&organizationId={organization.Id}")).ReadJsonAsync();

        var entry = Assert.Single(entries.GetProperty("data").EnumerateArray());
        Assert.Equal("success", entry.Str("status"));
        Assert.Equal("user", entry.Str("actorType"));
        Assert.Equal(userId.ToString(), entry.Str("actorId"));
        Assert.Equal("session", entry.Str("targetType"));
        Assert.Equal(sessionId, entry.Str("targetId"));
        Assert.NotNull(tokens.AccessToken);
    }

    [Fact]
    public async Task A_failed_sign_in_is_recorded_with_its_errorCode_and_the_sign_in_error_is_unchanged()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await driver.SignInAndVerifyAsync(organization, "signin-bad@example.com");
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await driver.SubmitEmailAsync(page, "signin-bad@example.com");
        var code = fixture.Outbox.LatestCodeFor("signin-bad@example.com");
        var wrong = code[..4] + (code[4] == '0' ? '1' : '0');

        var refused = await driver.SubmitCodeAsync(codePage, wrong);

        Assert.NotNull(refused.Error);
        using var admin = fixture.Admin();
        var userId = await SessionAdminTests.UserIdAsync(admin, organization, "signin-bad@example.com");
        var entries = await (await admin.GetAsync($"/api/v1/admin/audit_log?action=signin.email&organizationId={organization.Id}&targetType=loginAttempt")).ReadJsonAsync();
        var entry = Assert.Single(entries.GetProperty("data").EnumerateArray());
        Assert.Equal("loginAttemptInvalid", entry.Str("status"));
        Assert.Equal("user", entry.Str("actorType"));
        Assert.Equal(userId.ToString(), entry.Str("actorId"));
        Assert.Equal(codePage.AttemptId, entry.Str("targetId"));
    }

    [Fact]
    public async Task Filters_by_actor_target_and_time()
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        await Task.Delay(50);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var user = await fixture.CreateUserViaApiAsync(organizationId, "filters@example.com");
        using var admin = fixture.Admin();
        var keyId = await CallerKeyIdAsync(admin);
        var userId = user.Str("id");

        var byTarget = await (await admin.GetAsync($"/api/v1/admin/audit_log?targetType=user&targetId={userId}")).ReadJsonAsync();
        var byActor = await (await admin.GetAsync($"/api/v1/admin/audit_log?actorType=apiKey&actorId={keyId}&action=user.create&organizationId={organizationId}")).ReadJsonAsync();
        var from = await (await admin.GetAsync($"/api/v1/admin/audit_log?organizationId={organizationId}&from={Uri.EscapeDataString(before.ToString("O"))}")).ReadJsonAsync();
        var to = await (await admin.GetAsync($"/api/v1/admin/audit_log?organizationId={organizationId}&to={Uri.EscapeDataString(before.ToString("O"))}")).ReadJsonAsync();
        var nobody = await (await admin.GetAsync($"/api/v1/admin/audit_log?actorId={Guid.NewGuid()}")).ReadJsonAsync();

        Assert.Equal("user.create", Assert.Single(byTarget.GetProperty("data").EnumerateArray()).Str("action"));
        Assert.Equal(userId, Assert.Single(byActor.GetProperty("data").EnumerateArray()).Str("targetId"));
        Assert.Equal(["user.create"], from.GetProperty("data").EnumerateArray().Select(e => e.Str("action")));
        Assert.Equal(["organization.create"], to.GetProperty("data").EnumerateArray().Select(e => e.Str("action")));
        Assert.Equal(0, nobody.GetProperty("pager").GetProperty("totalEntities").GetInt32());
    }

    [Fact]
    public async Task Bad_filters_are_entityInvalid_with_details()
    {
        using var admin = fixture.Admin();

        var response = await admin.GetAsync("/api/v1/admin/audit_log?from=yesterday&to=2025-13-45&limitPerPage=0");

        await response.AssertDetailsAsync("entityInvalid", "from", "to", "limitPerPage");
    }

    /// <summary>The id of the key a client authenticates with, read from the audit entry of a change it makes.</summary>
    private async Task<string> CallerKeyIdAsync(HttpClient admin)
    {
        var organization = await (await admin.PostAsJsonAsync("/api/v1/admin/organizations", new { name = "probe" })).ReadJsonAsync(HttpStatusCode.Created);
        var entries = await (await admin.GetAsync($"/api/v1/admin/audit_log?targetId={organization.GetProperty("organization").Str("id")}")).ReadJsonAsync();
        return entries.GetProperty("data")[0].Str("actorId");
    }
}
