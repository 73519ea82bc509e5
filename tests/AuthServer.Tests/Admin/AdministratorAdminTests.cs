using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.Features.AdminConsole;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Admin;

/// <summary>
/// The console's administrators over the admin API: global keys only, one role or the other (never both,
/// never neither), the same rules as the Administrators page (the last global administrator stays global),
/// audited as the key.
/// </summary>
public sealed class AdministratorAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    private const string Path = "/api/v1/admin/administrators";

    private static string NewEmail() => $"admin-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task A_global_key_adds_rescopes_lists_and_removes_an_administrator()
    {
        using var admin = fixture.Admin();
        var organization = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var email = NewEmail();
        // Another global administrator, so this one may be removed (the last one stays: test below).
        await (await admin.PutAsJsonAsync(Path, new { email = NewEmail(), isGlobal = true })).ReadJsonAsync();

        var added = await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = new[] { organization } })).ReadJsonAsync();
        Assert.Equal(email, added.Str("email"));
        Assert.False(added.GetProperty("isGlobal").GetBoolean());
        Assert.Equal([organization], added.GetProperty("organizationIds").EnumerateArray().Select(o => o.GetGuid()));
        var userId = added.GetGuid("userId");
        Assert.Equal(SystemOrganization.Id, await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.OrganizationId).SingleAsync()));

        var global = await (await admin.PutAsJsonAsync(Path, new { email, isGlobal = true })).ReadJsonAsync();
        Assert.True(global.GetProperty("isGlobal").GetBoolean());
        Assert.Equal(userId, global.GetGuid("userId"));
        Assert.Empty(global.GetProperty("organizationIds").EnumerateArray());

        var listed = await (await admin.GetAsync(Path + "?limitPerPage=100")).ReadJsonAsync();
        var row = Assert.Single(listed.GetProperty("data").EnumerateArray(), a => a.Str("email") == email);
        Assert.True(row.GetProperty("isGlobal").GetBoolean());
        Assert.True(listed.GetProperty("pager").GetProperty("totalEntities").GetInt32() >= 1);

        await (await admin.DeleteAsync($"{Path}/{userId}")).AssertNoContentAsync();
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Administrators.AnyAsync(a => a.UserId == userId)));
        // The user stays (their passkeys and history), only the role is gone.
        Assert.True(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == userId)));
        await (await admin.DeleteAsync($"{Path}/{userId}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");

        var audit = await fixture.Factory.WithDbAsync(db => db.AuditLog.Where(a => a.TargetId == userId.ToString() && a.Action.StartsWith("administrator.")).OrderBy(a => a.Id).Select(a => a.Action + " " + a.ActorType).ToListAsync());
        Assert.Equal(["administrator.add apiKey", "administrator.add apiKey", "administrator.remove apiKey"], audit);
    }

    [Fact]
    public async Task The_role_is_global_or_a_list_of_organizations_never_both_and_never_neither()
    {
        using var admin = fixture.Admin();
        var organization = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var email = NewEmail();

        await (await admin.PutAsJsonAsync(Path, new { email })).AssertDetailsAsync("entityInvalid", "organizationIds");
        await (await admin.PutAsJsonAsync(Path, new { email, isGlobal = false })).AssertDetailsAsync("entityInvalid", "organizationIds");
        await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = Array.Empty<Guid>() })).AssertDetailsAsync("entityInvalid", "organizationIds");
        await (await admin.PutAsJsonAsync(Path, new { email, isGlobal = true, organizationIds = new[] { organization } })).AssertDetailsAsync("entityInvalid", "organizationIds");
        // The organizations must exist, and the administrators' own is never part of a scoped role.
        await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = new[] { Guid.NewGuid() } })).AssertDetailsAsync("entityInvalid", "organization");
        await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = new[] { SystemOrganization.Id } })).AssertDetailsAsync("entityInvalid", "organization");
        await (await admin.PutAsJsonAsync(Path, new { email = "not an address", isGlobal = true })).AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await admin.PutAsync(Path, new StringContent("{\"email\":", System.Text.Encoding.UTF8, "application/json"))).AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = new[] { "not-a-guid" } })).AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = new Guid?[] { null } })).AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await admin.PutAsJsonAsync(Path, new { email, isGlobal = "yes" })).AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await admin.PutAsJsonAsync(Path, new { isGlobal = true })).AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        await (await admin.GetAsync(Path + "?limitPerPage=0")).AssertDetailsAsync("entityInvalid", "limitPerPage");

        Assert.False(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)));
    }

    [Fact]
    public async Task Only_a_global_key_manages_administrators()
    {
        var organization = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var scoped = fixture.Admin(await fixture.CreateKeyAsync("scoped", organization));
        var email = NewEmail();

        await (await scoped.GetAsync(Path)).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        // Not even of its own organization, and the answer does not depend on the body.
        await (await scoped.PutAsJsonAsync(Path, new { email, organizationIds = new[] { organization } })).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        await (await scoped.PutAsJsonAsync(Path, new { })).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        await (await scoped.DeleteAsync($"{Path}/{Guid.NewGuid()}")).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        await (await fixture.Anonymous().GetAsync(Path)).AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email)));
    }

    [Fact]
    public async Task The_last_global_administrator_is_neither_removed_nor_demoted_even_by_two_requests_at_once()
    {
        using var admin = fixture.Admin();
        var organization = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var first = (await (await admin.PutAsJsonAsync(Path, new { email = NewEmail(), isGlobal = true })).ReadJsonAsync()).GetGuid("userId");
        var second = (await (await admin.PutAsJsonAsync(Path, new { email = NewEmail(), isGlobal = true })).ReadJsonAsync()).GetGuid("userId");
        // Every other global administrator of this server goes first (allowed while another remains).
        var others = (await (await admin.GetAsync(Path + "?limitPerPage=100")).ReadJsonAsync()).GetProperty("data").EnumerateArray()
            .Where(a => a.GetProperty("isGlobal").GetBoolean() && a.GetGuid("userId") != first && a.GetGuid("userId") != second).Select(a => a.GetGuid("userId")).ToList();
        foreach (var other in others)
        {
            await (await admin.DeleteAsync($"{Path}/{other}")).AssertNoContentAsync();
        }

        // Two global administrators, each removed by a request of its own at the same moment: one stays.
        var answers = await Task.WhenAll(admin.DeleteAsync($"{Path}/{first}"), admin.DeleteAsync($"{Path}/{second}"));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
        await Assert.Single(answers, a => a.StatusCode != HttpStatusCode.NoContent).AssertDetailsAsync("entityInvalid", "administrator");
        var last = Assert.Single(await fixture.Factory.WithDbAsync(db => db.Administrators.Where(a => a.IsGlobal).Select(a => a.UserId).ToListAsync()));

        await (await admin.DeleteAsync($"{Path}/{last}")).AssertDetailsAsync("entityInvalid", "administrator");
        var email = await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.Id == last).Select(u => u.Email).SingleAsync());
        await (await admin.PutAsJsonAsync(Path, new { email, organizationIds = new[] { organization } })).AssertDetailsAsync("entityInvalid", "administrator");
        Assert.True(await fixture.Factory.WithDbAsync(db => db.Administrators.AnyAsync(a => a.UserId == last && a.IsGlobal)));

        // The command line is the way back in: it still may.
        var output = new StringWriter();
        Assert.Equal(0, await AdminCommand.RunAsync(fixture.Factory.Services, ["add", "--email", email, "--organization", organization.ToString()], output, new StringWriter(), CancellationToken.None));
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Administrators.AnyAsync(a => a.UserId == last && a.IsGlobal)));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_administrator_endpoints()
    {
        using var document = JsonDocument.Parse(await fixture.Anonymous().GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty(Path).TryGetProperty("put", out var put));
        Assert.Equal("SetAdministrator", put.Str("operationId"));
        Assert.True(paths.GetProperty(Path + "/{userId}").TryGetProperty("delete", out _));
    }
}
