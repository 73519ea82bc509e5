using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using AuthServer.Data;
using AuthServer.Features.Upstream;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Client.WebIntegration;
using static OpenIddict.Client.WebIntegration.OpenIddictClientWebIntegrationConstants;

namespace AuthServer.Tests.Upstream;

/// <summary>
/// Upstream connections through the admin API (secrets encrypted, never returned), and the named providers'
/// configuration: their issuers and scopes, and for GitHub (whose endpoints need no discovery) the redirect to
/// its authorization endpoint with the right parameters.
/// </summary>
public sealed class UpstreamAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Creates_lists_changes_and_deletes_a_connection_without_ever_returning_its_secret()
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();

        var created = await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/upstream-connections",
            new { kind = "microsoft", clientId = "client-1", clientSecret = "very-secret-value", tenant = "contoso.onmicrosoft.com" })).ReadJsonAsync(HttpStatusCode.Created);
        var id = created.GetGuid("id");
        Assert.Equal($"http://localhost/login/upstream/{id:N}/callback", created.Str("redirectUri"));
        Assert.True(created.GetProperty("hasClientSecret").GetBoolean());
        Assert.DoesNotContain("very-secret-value", created.GetRawText());

        var stored = await DbAsync(db => db.UpstreamConnections.SingleAsync(c => c.Id == id));
        Assert.NotEqual("very-secret-value", stored.ProtectedClientSecret);
        Assert.DoesNotContain("very-secret-value", stored.ProtectedClientSecret);

        var changed = await (await admin.PatchAsJsonAsync($"/api/v1/admin/upstream-connections/{id}", new { enabled = false, scopes = new[] { "User.Read" } })).ReadJsonAsync();
        Assert.False(changed.GetProperty("enabled").GetBoolean());
        Assert.Equal("contoso.onmicrosoft.com", changed.Str("tenant"));
        var listed = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/upstream-connections")).ReadJsonAsync();
        Assert.Equal([id], listed.EnumerateArray().Select(c => c.GetGuid("id")));

        // The organization cache of this instance sees the change at once (others within its lifetime).
        var cached = await fixture.Factory.Services.GetRequiredService<AuthServer.Features.Organizations.OrganizationCache>().FindAsync(organizationId, CancellationToken.None);
        Assert.False(cached!.UpstreamConnections.Single().Enabled);
        Assert.Equal("very-secret-value", cached.UpstreamConnections.Single().ClientSecret);

        await (await admin.DeleteAsync($"/api/v1/admin/upstream-connections/{id}")).AssertNoContentAsync();
        await (await admin.GetAsync($"/api/v1/admin/upstream-connections/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        Assert.Contains(await DbAsync(db => db.AuditLog.Where(a => a.TargetId == id.ToString()).Select(a => a.Action).ToListAsync()),
            a => a == "upstreamConnection.delete");
    }

    [Fact]
    public async Task Validation_names_the_field_at_fault()
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();
        var path = $"/api/v1/admin/organizations/{organizationId}/upstream-connections";

        await (await admin.PostAsJsonAsync(path, new { kind = "google" })).AssertDetailsAsync("missingFields", "clientId", "clientSecret");
        await (await admin.PostAsJsonAsync(path, new { kind = "facebook", clientId = "a", clientSecret = "b" })).AssertDetailsAsync("entityInvalid", "kind");
        await (await admin.PostAsJsonAsync(path, new { kind = "oidc", clientId = "a", clientSecret = "b" })).AssertDetailsAsync("missingFields", "issuer");
        // (Plain http is accepted only on loopback or while the server itself runs on http, as this test server does.)
        await (await admin.PostAsJsonAsync(path, new { kind = "oidc", clientId = "a", clientSecret = "b", issuer = "ftp://idp.example.com" })).AssertDetailsAsync("entityInvalid", "issuer");
        await (await admin.PostAsJsonAsync(path, new { kind = "oidc", clientId = "a", clientSecret = "b", issuer = "idp.example.com" })).AssertDetailsAsync("entityInvalid", "issuer");
        await (await admin.PostAsJsonAsync(path, new { kind = "oidc", clientId = "a", clientSecret = "b", issuer = "https://idp.example.com/?x=1" })).AssertDetailsAsync("entityInvalid", "issuer");
        await (await admin.PostAsJsonAsync(path, new { kind = "apple", clientId = "a", clientSecret = "not a key", teamId = "T", keyId = "K" })).AssertDetailsAsync("entityInvalid", "clientSecret");
        await (await admin.PostAsJsonAsync(path, new { kind = "apple", clientId = "a", clientSecret = ApplePem() })).AssertDetailsAsync("missingFields", "teamId", "keyId");
        await (await admin.PostAsJsonAsync(path, new { kind = "microsoft", clientId = "a", clientSecret = "b", tenant = "bad tenant/" })).AssertDetailsAsync("entityInvalid", "tenant");
        await (await admin.PostAsJsonAsync(path, new { kind = "google", clientId = "a", clientSecret = "b", scopes = new[] { "has space" } })).AssertDetailsAsync("entityInvalid", "scopes");
        await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{Guid.NewGuid()}/upstream-connections", new { kind = "google", clientId = "a", clientSecret = "b" }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");

        var scoped = await fixture.CreateKeyAsync("other", (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id"));
        using var other = fixture.Admin(scoped);
        await (await other.PostAsJsonAsync(path, new { kind = "google", clientId = "a", clientSecret = "b" })).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_connections()
    {
        using var client = fixture.Anonymous();
        var document = await (await client.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        Assert.Contains("/api/v1/admin/organizations/{organizationId}/upstream-connections", document);
        Assert.Contains("/api/v1/admin/upstream-connections/{id}", document);
        Assert.Contains("CreateUpstreamConnection", document);
    }

    [Fact]
    public async Task Named_providers_get_their_issuers_endpoints_and_scopes()
    {
        var registrations = fixture.Factory.Services.GetRequiredService<UpstreamRegistrations>();
        var publicBase = new Uri("https://auth.example.com/");

        var google = registrations.Build(Connection(UpstreamKinds.Google), publicBase);
        Assert.Equal(new Uri("https://accounts.google.com/"), google.Issuer);
        Assert.Equal(ProviderTypes.Google, google.ProviderType);
        Assert.Superset(new HashSet<string> { "openid", "email", "profile" }, google.Scopes.ToHashSet());

        var microsoft = registrations.Build(Connection(UpstreamKinds.Microsoft, tenant: "contoso.onmicrosoft.com"), publicBase);
        Assert.Equal(new Uri("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"), microsoft.Issuer);
        var common = registrations.Build(Connection(UpstreamKinds.Microsoft), publicBase);
        Assert.Equal(new Uri("https://login.microsoftonline.com/common/v2.0"), common.Issuer);

        var apple = registrations.Build(Connection(UpstreamKinds.Apple, secret: ApplePem(), teamId: "TEAM123", keyId: "KEY123"), publicBase);
        Assert.Equal(new Uri("https://appleid.apple.com/"), apple.Issuer);
        Assert.Equal("TEAM123", ((OpenIddictClientWebIntegrationSettings.Apple)apple.ProviderSettings!).TeamId);
        Assert.Null(apple.ClientSecret);

        var github = registrations.Build(Connection(UpstreamKinds.GitHub), publicBase);
        Assert.Equal(new Uri("https://github.com/login/oauth"), github.Issuer);
        Assert.Contains("user:email", github.Scopes);
        Assert.Equal(new Uri($"https://auth.example.com/login/upstream/{Guid.Empty:N}/callback"), github.RedirectUri);
    }

    [Fact]
    public async Task GitHub_sends_the_browser_to_its_authorization_endpoint_with_the_right_parameters()
    {
        var organization = await fixture.CreateOrganizationAsync();
        await UpstreamIdp.AddConnectionAsync(fixture.Factory.Services, organization.Id, UpstreamKinds.GitHub, "gh-client-id", "gh-secret");

        var connection = await DbAsync(db => db.UpstreamConnections.SingleAsync(c => c.OrganizationId == organization.Id));
        using var browser = fixture.CreateClient();
        var page = await browser.GetAsync(LoginDriver.LoginUrl(organization));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Continue with GitHub", html);
        var requestId = System.Text.RegularExpressions.Regex.Match(html, "name=\"request\" value=\"([^\"]+)\"").Groups[1].Value;

        var start = await browser.GetAsync($"/login/upstream/{connection.Id:N}?request={requestId}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var location = start.Headers.Location!;
        Assert.Equal("https://github.com/login/oauth/authorize", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("gh-client-id", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal($"http://localhost/login/upstream/{connection.Id:N}/callback", query["redirect_uri"]);
        Assert.Equal("read:user user:email", string.Join(' ', query["scope"].ToString().Split(' ').Order()));
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.DoesNotContain("gh-secret", location.ToString());
    }

    [Fact]
    public async Task Starting_with_an_unknown_request_or_a_disabled_connection_is_refused()
    {
        var organization = await fixture.CreateOrganizationAsync();
        await UpstreamIdp.AddConnectionAsync(fixture.Factory.Services, organization.Id, UpstreamKinds.Google, "g", "s", c => c.Enabled = false);
        var connection = await DbAsync(db => db.UpstreamConnections.SingleAsync(c => c.OrganizationId == organization.Id));
        using var browser = fixture.CreateClient();

        var unknown = await browser.GetAsync($"/login/upstream/{connection.Id:N}?request={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("entityMissing", await unknown.Content.ReadAsStringAsync());

        var page = await (await browser.GetAsync(LoginDriver.LoginUrl(organization))).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Continue with Google", page);
        var requestId = System.Text.RegularExpressions.Regex.Match(page, "name=\"request\" value=\"([^\"]+)\"").Groups[1].Value;
        var disabled = await browser.GetAsync($"/login/upstream/{connection.Id:N}?request={requestId}");
        Assert.Equal(HttpStatusCode.Redirect, disabled.StatusCode);
        var back = QueryHelpers.ParseQuery(disabled.Headers.Location!.Query);
        Assert.Equal("connectionMissing", back["error"]);

        // A callback without any state is refused on a page, never a 500.
        var forged = await browser.GetAsync($"/login/upstream/{connection.Id:N}/callback?code=abc&state=forged");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("upstreamSignInFailed", await forged.Content.ReadAsStringAsync());
    }

    private async Task<T> DbAsync<T>(Func<AuthDbContext, Task<T>> query)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AuthDbContext>());
    }

    private static CachedUpstreamConnection Connection(string kind, string secret = "secret", string? tenant = null, string? teamId = null, string? keyId = null) =>
        new(Guid.Empty, kind, null, "client", secret, tenant, null, teamId, keyId, [], true, DateTimeOffset.UtcNow);

    private static string ApplePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }
}
