using System.Net;
using System.Text.Json;
using AuthServer.Errors;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AuthServer.Tests.Foundation;

public sealed class FoundationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_leave_nothing_pending()
    {
        var (applied, pending) = await fixture.Factory.WithDbAsync(async db =>
            ((await db.Database.GetAppliedMigrationsAsync()).ToList(), (await db.Database.GetPendingMigrationsAsync()).ToList()));

        Assert.NotEmpty(applied);
        Assert.Empty(pending);
    }

    [Fact]
    public async Task Model_has_no_changes_without_a_migration()
    {
        var changed = await fixture.Factory.WithDbAsync(db => Task.FromResult(db.Database.HasPendingModelChanges()));

        Assert.False(changed, "The EF model changed without a migration: run dotnet ef migrations add <Name> --project migrations --startup-project migrations");
    }

    [Fact]
    public async Task Compiled_model_matches_the_model_built_from_the_configuration()
    {
        // The server runs on the compiled model (src/AuthServer.Data/CompiledModel, no model building at start);
        // the design-time model is built from the entity configurations, as migrations see it. A runtime model
        // cannot go through the migrations differ, so both are compared table by table.
        var (compiled, designTime, runtime) = await fixture.Factory.WithDbAsync(db => Task.FromResult((
            db.Model is AuthServer.Data.CompiledModel.AuthDbContextModel,
            Schema(db.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model.GetRelationalModel()),
            Schema(db.Model.GetRelationalModel()))));

        Assert.True(compiled, "The server should run on the compiled model.");
        Assert.Equal(designTime, runtime);
    }

    private static List<string> Schema(Microsoft.EntityFrameworkCore.Metadata.IRelationalModel model) =>
        model.Tables.SelectMany(table =>
                table.Columns.Select(c => $"{table.Name}.{c.Name} {c.StoreType} {(c.IsNullable ? "null" : "not null")}")
                    .Concat(table.Indexes.Select(i => $"{table.Name} index {i.Name} ({string.Join(",", i.Columns.Select(c => c.Name))}) {(i.IsUnique ? "unique" : "")}"))
                    .Concat(table.ForeignKeyConstraints.Select(f => $"{table.Name} fk {f.Name} -> {f.PrincipalTable.Name} {f.OnDeleteAction}"))
                    .Append($"{table.Name} pk ({string.Join(",", table.PrimaryKey?.Columns.Select(c => c.Name) ?? [])})"))
            .Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Discovery_document_names_the_issuer_endpoints_and_jwks()
    {
        using var client = fixture.CreateClient();

        var discovery = JsonDocument.Parse(await client.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(AuthServerFactory.PublicBaseUrl + "/", discovery.GetProperty("issuer").GetString());
        Assert.EndsWith("/connect/authorize", discovery.GetProperty("authorization_endpoint").GetString());
        Assert.EndsWith("/connect/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Contains("S256", discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        var jwks = JsonDocument.Parse(await client.GetStringAsync("/.well-known/jwks")).RootElement;
        // RS256 signs (identity tokens always, access tokens by default); the P-256 key is published for Tokens:AccessTokenSigningAlgorithm=ES256.
        Assert.Equal(["ES256", "RS256"], jwks.GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("alg").GetString()).Order());
        Assert.Equal(["RS256"], discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
    }

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/jwks")]
    public async Task Discovery_and_keys_are_served_from_the_output_cache(string path)
    {
        using var client = fixture.CreateClient();

        var first = await client.GetAsync(path);
        var second = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.NotNull(second.Headers.Age);
    }

    [Fact]
    public async Task Login_page_is_never_served_from_the_output_cache()
    {
        using var client = fixture.CreateClient();

        var url = "/login?client_id=" + Guid.NewGuid();
        await client.GetAsync(url);
        var second = await client.GetAsync(url);

        Assert.Null(second.Headers.Age);
    }

    [Fact]
    public async Task Unknown_route_under_api_is_entityMissing()
    {
        using var client = fixture.CreateClient();

        var response = await client.GetAsync("/api/v1/does-not-exist");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
    }

    [Fact]
    public async Task Error_catalog_is_published_with_status_and_retry_guidance()
    {
        using var client = fixture.CreateClient();

        var catalog = JsonDocument.Parse(await client.GetStringAsync("/api/v1/errors")).RootElement.EnumerateArray().ToList();

        Assert.Equal(ErrorCatalog.All.Count, catalog.Count);
        var unavailable = catalog.Single(e => e.GetProperty("code").GetString() == "serviceUnavailable");
        Assert.Equal(503, unavailable.GetProperty("status").GetInt32());
        Assert.True(unavailable.GetProperty("retryable").GetBoolean());
        Assert.Equal(401, catalog.Single(e => e.GetProperty("code").GetString() == "sessionInactive").GetProperty("status").GetInt32());
    }

    [Fact]
    public void Catalog_codes_are_unique() =>
        Assert.Equal(ErrorCatalog.All.Count, ErrorCatalog.All.Select(e => e.Code).Distinct().Count());

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_healthy(string path)
    {
        using var client = fixture.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }
}
