using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using AuthServer.Data.Entities;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Admin;

public sealed class PasskeyAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Lists_renames_and_deletes_a_users_passkeys()
    {
        var (organizationId, userId) = await UserAsync("keys@example.com");
        var laptop = await AddPasskeyAsync(fixture, userId, organizationId, "Laptop");
        var phone = await AddPasskeyAsync(fixture, userId, organizationId, null);
        using var admin = fixture.Admin();

        var listed = await (await admin.GetAsync($"/api/v1/admin/users/{userId}/passkeys")).ReadJsonAsync();
        var renamed = await (await admin.PatchAsJsonAsync($"/api/v1/admin/passkeys/{phone}", new { name = "Phone" })).ReadJsonAsync();
        await (await admin.DeleteAsync($"/api/v1/admin/passkeys/{laptop}")).AssertNoContentAsync();
        var after = await (await admin.GetAsync($"/api/v1/admin/users/{userId}/passkeys")).ReadJsonAsync();

        Assert.Equal([laptop, phone], listed.GetProperty("data").EnumerateArray().Select(p => p.Str("id")));
        Assert.Equal("Laptop", listed.GetProperty("data")[0].Str("name"));
        Assert.Equal(["internal"], listed.GetProperty("data")[0].GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Phone", renamed.Str("name"));
        Assert.Equal([phone], after.GetProperty("data").EnumerateArray().Select(p => p.Str("id")));
        Assert.Equal("Phone", after.GetProperty("data")[0].Str("name"));
        Assert.Equal(1, await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.CountAsync(p => p.UserId == userId)));
    }

    [Fact]
    public async Task Rename_validates_the_name_and_unknown_ids_are_entityMissing()
    {
        var (organizationId, userId) = await UserAsync("rename@example.com");
        var id = await AddPasskeyAsync(fixture, userId, organizationId, "Old");
        using var admin = fixture.Admin();

        await (await admin.PatchAsJsonAsync($"/api/v1/admin/passkeys/{id}", new { name = "" })).AssertDetailsAsync("missingFields", "name");
        await (await admin.PatchAsJsonAsync($"/api/v1/admin/passkeys/{id}", new { name = new string('x', 201) })).AssertDetailsAsync("entityInvalid", "name");
        await (await admin.PatchAsJsonAsync($"/api/v1/admin/passkeys/{WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16))}", new { name = "x" }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.DeleteAsync("/api/v1/admin/passkeys/%21%21not-base64")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
    }

    [Fact]
    public async Task A_scoped_key_cannot_touch_another_organizations_passkey()
    {
        var (organizationId, userId) = await UserAsync("guarded@example.com");
        var (otherOrganizationId, _) = await UserAsync("someone@example.com");
        var id = await AddPasskeyAsync(fixture, userId, organizationId, "Guarded");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("other", otherOrganizationId));

        await (await scoped.PatchAsJsonAsync($"/api/v1/admin/passkeys/{id}", new { name = "Mine now" })).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        await (await scoped.DeleteAsync($"/api/v1/admin/passkeys/{id}")).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    /// <summary>A registered passkey row (the WebAuthn ceremony has its own tests); returns its base64url id.</summary>
    internal static async Task<string> AddPasskeyAsync(ServerFixture fixture, Guid userId, Guid organizationId, string? name)
    {
        var credentialId = RandomNumberGenerator.GetBytes(32);
        await fixture.Factory.WithDbAsync(async db =>
        {
            db.PasskeyCredentials.Add(new PasskeyCredential
            {
                CredentialId = credentialId,
                UserId = userId,
                OrganizationId = organizationId,
                PublicKey = RandomNumberGenerator.GetBytes(77),
                Transports = ["internal"],
                Name = name,
                Created = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        return WebEncoders.Base64UrlEncode(credentialId);
    }

    private async Task<(Guid OrganizationId, Guid UserId)> UserAsync(string email)
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var user = await fixture.CreateUserViaApiAsync(organizationId, email);
        return (organizationId, user.GetGuid("id"));
    }
}
