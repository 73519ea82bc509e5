using System.Net;
using System.Net.Http.Json;
using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Admin;

public sealed class UserAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Create_get_by_id_and_by_email()
    {
        var organizationId = await OrganizationAsync();
        using var admin = fixture.Admin();

        var created = await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/users",
            new { email = "Grace@Example.com", verified = true })).ReadJsonAsync(HttpStatusCode.Created);
        var id = created.GetGuid("id");
        var byId = await (await admin.GetAsync($"/api/v1/admin/users/{id}")).ReadJsonAsync();
        var byEmail = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users/by_email?email=GRACE%40example.COM")).ReadJsonAsync();

        Assert.Equal("Grace@Example.com", byId.Str("email"));
        Assert.True(byId.GetProperty("verified").GetBoolean());
        Assert.False(byId.GetProperty("blocked").GetBoolean());
        Assert.Equal(organizationId, byId.GetGuid("organizationId"));
        Assert.Equal(id, byEmail.GetGuid("id"));
        await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users/by_email?email=nobody%40example.com"))
            .AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users/by_email"))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
    }

    [Fact]
    public async Task A_duplicate_email_in_one_organization_is_entityInvalid_on_email_whatever_its_case()
    {
        var organizationId = await OrganizationAsync();
        var otherOrganizationId = await OrganizationAsync();
        using var admin = fixture.Admin();
        await fixture.CreateUserViaApiAsync(organizationId, "dup@example.com");
        var second = await fixture.CreateUserViaApiAsync(organizationId, "second@example.com");

        var duplicate = await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/users", new { email = "DUP@example.com" });
        var renamedOnto = await admin.PatchAsJsonAsync($"/api/v1/admin/users/{second.GetGuid("id")}", new { email = " Dup@Example.com " });

        await duplicate.AssertDetailsAsync("entityInvalid", "email");
        await renamedOnto.AssertDetailsAsync("entityInvalid", "email");
        // Another organization may have the same address.
        await fixture.CreateUserViaApiAsync(otherOrganizationId, "dup@example.com");
    }

    [Theory]
    [InlineData("not an email")]
    [InlineData("a@b")]
    [InlineData("Name <a@example.com>")]
    public async Task An_invalid_email_is_entityInvalid(string email)
    {
        var organizationId = await OrganizationAsync();
        using var admin = fixture.Admin();

        var response = await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/users", new { email });

        await response.AssertDetailsAsync("entityInvalid", "email");
    }

    [Fact]
    public async Task Create_without_email_is_missingFields()
    {
        var organizationId = await OrganizationAsync();
        using var admin = fixture.Admin();

        var response = await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/users", new { verified = true });

        await response.AssertDetailsAsync("missingFields", "email");
    }

    [Fact]
    public async Task Update_changes_blocked_verified_and_email()
    {
        var organizationId = await OrganizationAsync();
        var user = await fixture.CreateUserViaApiAsync(organizationId, "before@example.com");
        using var admin = fixture.Admin();

        var updated = await (await admin.PatchAsJsonAsync($"/api/v1/admin/users/{user.GetGuid("id")}",
            new { email = "After@Example.com", blocked = true, verified = true })).ReadJsonAsync();
        var partly = await (await admin.PatchAsJsonAsync($"/api/v1/admin/users/{user.GetGuid("id")}", new { blocked = false })).ReadJsonAsync();

        Assert.Equal("After@Example.com", updated.Str("email"));
        Assert.True(updated.GetProperty("blocked").GetBoolean());
        Assert.True(updated.GetProperty("verified").GetBoolean());
        Assert.False(partly.GetProperty("blocked").GetBoolean());
        Assert.True(partly.GetProperty("verified").GetBoolean());
        Assert.Equal("After@Example.com", partly.Str("email"));
        await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users/by_email?email=after%40example.com")).ReadJsonAsync();
    }

    [Fact]
    public async Task A_blocked_user_cannot_use_their_session()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "blockme@example.com");
        using var admin = fixture.Admin();
        var user = await (await admin.GetAsync($"/api/v1/admin/organizations/{organization.Id}/users/by_email?email=blockme%40example.com")).ReadJsonAsync();

        await (await admin.PatchAsJsonAsync($"/api/v1/admin/users/{user.GetGuid("id")}", new { blocked = true })).ReadJsonAsync();

        await (await driver.UserInfoAsync(organization, tokens.AccessToken)).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Fact]
    public async Task Delete_takes_sessions_and_passkeys_with_the_user()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "deleteme@example.com");
        using var admin = fixture.Admin();
        var user = await (await admin.GetAsync($"/api/v1/admin/organizations/{organization.Id}/users/by_email?email=deleteme%40example.com")).ReadJsonAsync();
        var userId = user.GetGuid("id");
        await PasskeyAdminTests.AddPasskeyAsync(fixture, userId, organization.Id, "Laptop");

        await (await admin.DeleteAsync($"/api/v1/admin/users/{userId}")).AssertNoContentAsync();

        await (await admin.GetAsync($"/api/v1/admin/users/{userId}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.DeleteAsync($"/api/v1/admin/users/{userId}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Sessions.AnyAsync(s => s.UserId == userId)));
        Assert.False(await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.AnyAsync(p => p.UserId == userId)));
        var refused = await driver.UserInfoAsync(organization, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task List_searches_emails_and_pages()
    {
        var organizationId = await OrganizationAsync();
        foreach (var email in new[] { "alice@corp.example", "bob@corp.example", "carol@home.example", "dave_x@corp.example", "100%@corp.example" })
        {
            await fixture.CreateUserViaApiAsync(organizationId, email);
        }

        using var admin = fixture.Admin();
        var all = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users")).ReadJsonAsync();
        var corp = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users?email=CORP&limitPerPage=2&pageIndex=1")).ReadJsonAsync();
        var underscore = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users?email=_x")).ReadJsonAsync();
        var percent = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users?email=%25")).ReadJsonAsync();

        Assert.Equal(5, all.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        Assert.Equal(20, all.GetProperty("pager").GetProperty("limitPerPage").GetInt32());
        Assert.Equal(4, corp.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        Assert.Equal(2, corp.GetProperty("pager").GetProperty("pages").GetInt32());
        Assert.Equal(1, corp.GetProperty("pager").GetProperty("pageIndex").GetInt32());
        Assert.Equal(["dave_x@corp.example", "100%@corp.example"], corp.GetProperty("data").EnumerateArray().Select(u => u.Str("email")));
        Assert.Equal(["dave_x@corp.example"], underscore.GetProperty("data").EnumerateArray().Select(u => u.Str("email")));
        Assert.Equal(["100%@corp.example"], percent.GetProperty("data").EnumerateArray().Select(u => u.Str("email")));
    }

    [Fact]
    public async Task Unknown_user_ids_are_entityMissing()
    {
        using var admin = fixture.Admin();
        var unknown = Guid.NewGuid();

        var responses = new[]
        {
            await admin.GetAsync($"/api/v1/admin/users/{unknown}"),
            await admin.PatchAsJsonAsync($"/api/v1/admin/users/{unknown}", new { blocked = true }),
            await admin.DeleteAsync($"/api/v1/admin/users/{unknown}"),
            await admin.GetAsync($"/api/v1/admin/users/{unknown}/sessions"),
            await admin.PostAsync($"/api/v1/admin/users/{unknown}/revoke_sessions", null),
            await admin.GetAsync($"/api/v1/admin/users/{unknown}/passkeys"),
            await admin.PostAsync($"/api/v1/admin/sessions/{unknown}/revoke", null),
        };

        foreach (var response in responses)
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        }
    }

    private async Task<Guid> OrganizationAsync() =>
        (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
}
