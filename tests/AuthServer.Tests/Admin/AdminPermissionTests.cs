using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Admin;

/// <summary>Who may call what: no key, a bad key, a global key, a key scoped to one organization.</summary>
public sealed class AdminPermissionTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/v1/admin/organizations" },
        { "GET", "/api/v1/admin/organizations/{org}" },
        { "PATCH", "/api/v1/admin/organizations/{org}" },
        { "POST", "/api/v1/admin/organizations/{org}/rotate_secret" },
        { "GET", "/api/v1/admin/organizations/{org}/users" },
        { "GET", "/api/v1/admin/users/{user}" },
        { "GET", "/api/v1/admin/users/{user}/sessions" },
        { "GET", "/api/v1/admin/api_keys" },
        { "GET", "/api/v1/admin/administrators" },
        { "DELETE", "/api/v1/admin/administrators/{user}" },
        { "GET", "/api/v1/admin/audit_log" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_key_every_admin_endpoint_is_tokenMissing(string method, string path)
    {
        using var client = fixture.Anonymous();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), await PathAsync(path)));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Theory]
    [InlineData("Bearer ak_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer ak_")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("garbage")]
    public async Task With_a_bad_key_every_admin_endpoint_is_tokenInvalid(string authorization)
    {
        using var client = fixture.Anonymous();
        foreach (var (method, path) in Endpoints.Select(row => ((string)row[0], (string)row[1])))
        {
            var request = new HttpRequestMessage(new HttpMethod(method), await PathAsync(path));
            request.Headers.TryAddWithoutValidation("Authorization", authorization);

            var response = await client.SendAsync(request);

            await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        }
    }

    [Fact]
    public async Task Without_a_key_a_malformed_body_is_still_tokenMissing()
    {
        using var client = fixture.Anonymous();

        var response = await client.PostAsync("/api/v1/admin/organizations", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Fact]
    public async Task A_deleted_key_is_tokenInvalid_at_once()
    {
        using var admin = fixture.Admin();
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = "short lived" })).ReadJsonAsync(HttpStatusCode.Created);
        using var client = fixture.Admin(created.Str("key"));
        await (await client.GetAsync("/api/v1/admin/audit_log")).ReadJsonAsync();

        await (await admin.DeleteAsync($"/api/v1/admin/api_keys/{created.GetGuid("id")}")).AssertNoContentAsync();

        await (await client.GetAsync("/api/v1/admin/audit_log")).AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task A_scoped_key_works_on_its_own_organization()
    {
        var (own, _) = await TwoOrganizationsAsync();
        var user = await fixture.CreateUserViaApiAsync(own, "own@example.com");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("scoped", own));

        await (await scoped.GetAsync($"/api/v1/admin/organizations/{own}")).ReadJsonAsync();
        await (await scoped.PatchAsJsonAsync($"/api/v1/admin/organizations/{own}", new { name = "Renamed by its scoped key" })).ReadJsonAsync();
        await (await scoped.GetAsync($"/api/v1/admin/organizations/{own}/users")).ReadJsonAsync();
        await (await scoped.PostAsJsonAsync($"/api/v1/admin/organizations/{own}/users", new { email = "new@example.com" })).ReadJsonAsync(HttpStatusCode.Created);
        await (await scoped.GetAsync($"/api/v1/admin/users/{user.GetGuid("id")}")).ReadJsonAsync();
        await (await scoped.GetAsync($"/api/v1/admin/users/{user.GetGuid("id")}/sessions")).ReadJsonAsync();
        await (await scoped.PostAsync($"/api/v1/admin/organizations/{own}/rotate_secret", null)).ReadJsonAsync();
        var audit = await (await scoped.GetAsync("/api/v1/admin/audit_log")).ReadJsonAsync();
        Assert.All(audit.GetProperty("data").EnumerateArray(), e => Assert.Equal(own, e.GetGuid("organizationId")));
    }

    [Fact]
    public async Task A_scoped_key_on_another_organization_is_noPermission()
    {
        var (own, other) = await TwoOrganizationsAsync();
        var otherUser = await fixture.CreateUserViaApiAsync(other, "other@example.com");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("scoped", own));
        var userId = otherUser.GetGuid("id");

        var responses = new[]
        {
            await scoped.GetAsync($"/api/v1/admin/organizations/{other}"),
            await scoped.PatchAsJsonAsync($"/api/v1/admin/organizations/{other}", new { name = "Hijacked" }),
            await scoped.PostAsync($"/api/v1/admin/organizations/{other}/rotate_secret", null),
            await scoped.PostAsync($"/api/v1/admin/organizations/{other}/activate_secret", null),
            await scoped.GetAsync($"/api/v1/admin/organizations/{other}/users"),
            await scoped.GetAsync($"/api/v1/admin/organizations/{other}/users/by_email?email=other@example.com"),
            await scoped.PostAsJsonAsync($"/api/v1/admin/organizations/{other}/users", new { email = "x@example.com" }),
            await scoped.GetAsync($"/api/v1/admin/users/{userId}"),
            await scoped.PatchAsJsonAsync($"/api/v1/admin/users/{userId}", new { blocked = true }),
            await scoped.DeleteAsync($"/api/v1/admin/users/{userId}"),
            await scoped.GetAsync($"/api/v1/admin/users/{userId}/sessions"),
            await scoped.PostAsync($"/api/v1/admin/users/{userId}/revoke_sessions", null),
            await scoped.GetAsync($"/api/v1/admin/users/{userId}/passkeys"),
            await scoped.GetAsync($"/api/v1/admin/audit_log?organizationId={other}"),
        };

        foreach (var response in responses)
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        }

        // Nothing changed.
        using var global = fixture.Admin();
        var user = await (await global.GetAsync($"/api/v1/admin/users/{userId}")).ReadJsonAsync();
        Assert.False(user.GetProperty("blocked").GetBoolean());
        var organization = await (await global.GetAsync($"/api/v1/admin/organizations/{other}")).ReadJsonAsync();
        Assert.NotEqual("Hijacked", organization.Str("name"));
        Assert.False(organization.GetProperty("secretRotationPending").GetBoolean());
    }

    [Fact]
    public async Task A_scoped_key_may_not_manage_keys_list_create_or_delete_organizations()
    {
        var (own, _) = await TwoOrganizationsAsync();
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("scoped", own));

        var responses = new[]
        {
            await scoped.GetAsync("/api/v1/admin/api_keys"),
            await scoped.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = "escalate" }),
            await scoped.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = "escalate", organizationId = own }),
            await scoped.DeleteAsync($"/api/v1/admin/api_keys/{Guid.NewGuid()}"),
            await scoped.GetAsync("/api/v1/admin/organizations"),
            await scoped.PostAsJsonAsync("/api/v1/admin/organizations", new { name = "Another" }),
            await scoped.DeleteAsync($"/api/v1/admin/organizations/{own}"),
        };

        foreach (var response in responses)
        {
            await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        }
    }

    private async Task<(Guid Own, Guid Other)> TwoOrganizationsAsync()
    {
        var own = await fixture.CreateOrganizationViaApiAsync();
        var other = await fixture.CreateOrganizationViaApiAsync();
        return (own.GetProperty("organization").GetGuid("id"), other.GetProperty("organization").GetGuid("id"));
    }

    private async Task<string> PathAsync(string template)
    {
        if (!template.Contains('{'))
        {
            return template;
        }

        var organization = await fixture.CreateOrganizationViaApiAsync();
        var organizationId = organization.GetProperty("organization").GetGuid("id");
        var user = await fixture.CreateUserViaApiAsync(organizationId, $"u{Guid.NewGuid():N}@example.com");
        return template.Replace("{org}", organizationId.ToString()).Replace("{user}", user.GetGuid("id").ToString());
    }
}
