using System.Net;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Admin;

public sealed class SessionAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Lists_a_users_sessions_newest_first_with_their_details()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await driver.SignInAndVerifyAsync(organization, "sessions@example.com");
        await driver.SignInAndVerifyAsync(organization, "sessions@example.com");
        using var admin = fixture.Admin();
        var userId = await UserIdAsync(admin, organization, "sessions@example.com");

        var page = await (await admin.GetAsync($"/api/v1/admin/users/{userId}/sessions")).ReadJsonAsync();

        Assert.Equal(2, page.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        var sessions = page.GetProperty("data").EnumerateArray().ToList();
        Assert.True(sessions[0].GetProperty("created").GetDateTimeOffset() >= sessions[1].GetProperty("created").GetDateTimeOffset());
        var session = sessions[0];
        Assert.Equal("otp", session.Str("method"));
        Assert.Equal(userId, session.GetGuid("userId"));
        Assert.Equal(organization.Id, session.GetGuid("organizationId"));
        Assert.True(session.TryGetProperty("lastActivity", out _));
        Assert.True(session.TryGetProperty("verifiedAt", out _));
        Assert.False(session.TryGetProperty("endedAt", out _));
    }

    [Fact]
    public async Task Revoking_a_session_makes_its_access_token_fail_on_userinfo_with_sessionInactive()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var revoked = await driver.SignInAndVerifyAsync(organization, "revoke@example.com");
        var kept = await driver.SignInAndVerifyAsync(organization, "revoke@example.com");
        using var admin = fixture.Admin();
        var userId = await UserIdAsync(admin, organization, "revoke@example.com");
        var sessions = await (await admin.GetAsync($"/api/v1/admin/users/{userId}/sessions")).ReadJsonAsync();
        // Newest first: the second sign-in is data[0]; revoke the first one.
        var sessionId = sessions.GetProperty("data")[1].GetGuid("id");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, revoked.AccessToken)).StatusCode);

        var ended = await (await admin.PostAsync($"/api/v1/admin/sessions/{sessionId}/revoke", null)).ReadJsonAsync();
        var again = await (await admin.PostAsync($"/api/v1/admin/sessions/{sessionId}/revoke", null)).ReadJsonAsync();

        Assert.Equal("revoked", ended.Str("endReason"));
        Assert.Equal(ended.GetProperty("endedAt").GetDateTimeOffset(), again.GetProperty("endedAt").GetDateTimeOffset());
        await (await driver.UserInfoAsync(organization, revoked.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, kept.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_session_makes_its_standard_tokens_inactive_on_introspection_and_refresh()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = new OidcDriver(fixture.Driver(), fixture.Outbox);
        var tokens = await oidc.TokensAsync(organization, "oidc-revoke@example.com");
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.True((await oidc.IntrospectAsync(organization, accessToken)).GetProperty("active").GetBoolean());
        using var admin = fixture.Admin();
        var userId = await UserIdAsync(admin, organization, "oidc-revoke@example.com");
        var sessionId = (await (await admin.GetAsync($"/api/v1/admin/users/{userId}/sessions")).ReadJsonAsync()).GetProperty("data")[0].GetGuid("id");

        await (await admin.PostAsync($"/api/v1/admin/sessions/{sessionId}/revoke", null)).ReadJsonAsync();

        Assert.False((await oidc.IntrospectAsync(organization, accessToken)).GetProperty("active").GetBoolean());
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Revoking_all_of_a_users_sessions_ends_every_one()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var first = await driver.SignInAndVerifyAsync(organization, "all@example.com");
        var second = await driver.SignInAndVerifyAsync(organization, "all@example.com");
        var bystander = await driver.SignInAndVerifyAsync(organization, "bystander@example.com");
        using var admin = fixture.Admin();
        var userId = await UserIdAsync(admin, organization, "all@example.com");

        var result = await (await admin.PostAsync($"/api/v1/admin/users/{userId}/revoke_sessions", null)).ReadJsonAsync();
        var none = await (await admin.PostAsync($"/api/v1/admin/users/{userId}/revoke_sessions", null)).ReadJsonAsync();

        Assert.Equal(2, result.GetProperty("revoked").GetInt32());
        Assert.Equal(0, none.GetProperty("revoked").GetInt32());
        await (await driver.UserInfoAsync(organization, first.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
        await (await driver.UserInfoAsync(organization, second.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, bystander.AccessToken)).StatusCode);
        var sessions = await (await admin.GetAsync($"/api/v1/admin/users/{userId}/sessions")).ReadJsonAsync();
        Assert.All(sessions.GetProperty("data").EnumerateArray(), s => Assert.Equal("revoked", s.Str("endReason")));
    }

    [Fact]
    public async Task A_scoped_key_cannot_revoke_another_organizations_session()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "victim@example.com");
        using var admin = fixture.Admin();
        var userId = await UserIdAsync(admin, organization, "victim@example.com");
        var sessionId = (await (await admin.GetAsync($"/api/v1/admin/users/{userId}/sessions")).ReadJsonAsync()).GetProperty("data")[0].GetGuid("id");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("other org", other.Id));

        await (await scoped.PostAsync($"/api/v1/admin/sessions/{sessionId}/revoke", null)).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");

        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);
    }

    [Theory]
    [InlineData("sessions")]
    [InlineData("passkeys")]
    public async Task Listing_a_users_sessions_or_passkeys_checks_paging_the_user_and_the_keys_organization(string list)
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await driver.SignInAndVerifyAsync(organization, $"lists-{list}@example.com");
        using var admin = fixture.Admin();
        var userId = await UserIdAsync(admin, organization, $"lists-{list}@example.com");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("other org " + list, other.Id));

        await (await admin.GetAsync($"/api/v1/admin/users/{userId}/{list}?limitPerPage=0")).AssertDetailsAsync("entityInvalid", "limitPerPage");
        await (await admin.GetAsync($"/api/v1/admin/users/{Guid.NewGuid()}/{list}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await scoped.GetAsync($"/api/v1/admin/users/{userId}/{list}")).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/v1/admin/users/{userId}/{list}")).StatusCode);
    }

    internal static async Task<Guid> UserIdAsync(HttpClient admin, TestOrganization organization, string email)
    {
        var user = await (await admin.GetAsync($"/api/v1/admin/organizations/{organization.Id}/users/by_email?email={Uri.EscapeDataString(email)}")).ReadJsonAsync();
        return user.GetGuid("id");
    }
}
