using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using AuthServer.Features.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Admin;

public sealed class ApiKeyTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task The_cli_command_prints_a_global_key_once_and_that_key_works()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await ApiKeyCommand.RunAsync(fixture.Factory.Services, ["create", "--name", "ops"], output, error, CancellationToken.None);

        Assert.True(exitCode == 0, error.ToString());
        var key = output.ToString().Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("ak_", StringComparison.Ordinal));
        using var client = fixture.Admin(key);
        await (await client.GetAsync("/api/v1/admin/api_keys")).ReadJsonAsync();
        var stored = await fixture.Factory.WithDbAsync(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == "ops"));
        Assert.Null(stored.OrganizationId);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), stored.KeyHash);
        Assert.StartsWith(stored.Prefix, key);
        Assert.True(await fixture.Factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "apiKey.create" && e.TargetId == stored.Id.ToString() && e.ActorType == "cli")));
    }

    [Fact]
    public async Task The_cli_command_creates_a_scoped_key_limited_to_its_organization()
    {
        var mine = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var other = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var output = new StringWriter();

        var exitCode = await ApiKeyCommand.RunAsync(fixture.Factory.Services, ["create", "--name", "scoped ops", "--organization", mine.ToString()], output, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, exitCode);
        using var client = fixture.Admin(output.ToString().Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("ak_", StringComparison.Ordinal)));
        await (await client.GetAsync($"/api/v1/admin/organizations/{mine}")).ReadJsonAsync();
        await (await client.GetAsync($"/api/v1/admin/organizations/{other}")).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Theory]
    [InlineData]
    [InlineData("create")]
    [InlineData("create", "--name")]
    [InlineData("delete", "--name", "x")]
    [InlineData("create", "--name", "x", "--organization", "not-a-guid")]
    [InlineData("create", "--name", "x", "--bogus")]
    public async Task The_cli_command_rejects_bad_arguments_with_exit_code_2(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await ApiKeyCommand.RunAsync(fixture.Factory.Services, arguments, output, error, CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Contains("Usage", error.ToString());
        Assert.DoesNotContain("ak_", output.ToString());
    }

    [Fact]
    public async Task The_cli_command_refuses_an_unknown_organization()
    {
        var error = new StringWriter();

        var exitCode = await ApiKeyCommand.RunAsync(fixture.Factory.Services, ["create", "--name", "x", "--organization", Guid.NewGuid().ToString()], new StringWriter(), error, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Contains("entityInvalid", error.ToString());
    }

    [Fact]
    public async Task Create_list_and_delete_keys_over_the_api()
    {
        using var admin = fixture.Admin();
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");

        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = "deploy bot", organizationId })).ReadJsonAsync(HttpStatusCode.Created);
        var key = created.Str("key");
        var list = await (await admin.GetAsync("/api/v1/admin/api_keys?limitPerPage=100")).ReadJsonAsync();

        Assert.Matches("^ak_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(organizationId, created.GetGuid("organizationId"));
        var listed = list.GetProperty("data").EnumerateArray().Single(k => k.GetGuid("id") == created.GetGuid("id"));
        Assert.Equal("deploy bot", listed.Str("name"));
        Assert.Equal(created.Str("prefix"), listed.Str("prefix"));
        Assert.StartsWith(listed.Str("prefix"), key);
        Assert.DoesNotContain(key, list.GetRawText());

        await (await admin.DeleteAsync($"/api/v1/admin/api_keys/{created.GetGuid("id")}")).AssertNoContentAsync();
        await (await admin.DeleteAsync($"/api/v1/admin/api_keys/{created.GetGuid("id")}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        using var deleted = fixture.Admin(key);
        await (await deleted.GetAsync($"/api/v1/admin/organizations/{organizationId}")).AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Create_validates_name_and_organization()
    {
        using var admin = fixture.Admin();

        await (await admin.PostAsJsonAsync("/api/v1/admin/api_keys", new { })).AssertDetailsAsync("missingFields", "name");
        await (await admin.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = new string('k', 201) })).AssertDetailsAsync("entityInvalid", "name");
        await (await admin.PostAsJsonAsync("/api/v1/admin/api_keys", new { name = "k", organizationId = Guid.NewGuid() })).AssertDetailsAsync("entityInvalid", "organizationId");
    }

    [Fact]
    public async Task Last_used_is_recorded_but_written_at_most_once_a_minute()
    {
        var key = await fixture.CreateKeyAsync("usage");
        using var client = fixture.Admin(key);
        var hash = ApiKeyService.Hash(key);

        await (await client.GetAsync("/api/v1/admin/api_keys")).ReadJsonAsync();
        var first = await fixture.Factory.WithDbAsync(db => db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => k.LastUsed).SingleAsync());
        await (await client.GetAsync("/api/v1/admin/api_keys")).ReadJsonAsync();
        var second = await fixture.Factory.WithDbAsync(db => db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => k.LastUsed).SingleAsync());

        Assert.NotNull(first);
        Assert.Equal(first, second);
    }
}
