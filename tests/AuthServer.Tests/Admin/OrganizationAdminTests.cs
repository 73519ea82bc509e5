using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Admin;

public sealed class OrganizationAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Create_returns_the_secret_once_and_get_shows_everything_else()
    {
        var created = await fixture.CreateOrganizationViaApiAsync(new
        {
            name = "Acme",
            whitelistedOrigins = new[] { "https://App.Acme.example", "http://localhost:3000" },
            redirectUris = new[] { "https://app.acme.example/callback" },
            settings = new { maxSessionTime = 3600, allowLocalhost = true, defaultEmailLoginType = "link" },
            connections = new { passkey = false },
        });
        var organization = created.GetProperty("organization");
        var id = organization.GetGuid("id");
        Assert.Equal(id.ToString(), created.Str("clientId"));
        Assert.Equal(32, created.Str("clientSecret").Length);
        Assert.Equal(["https://app.acme.example", "http://localhost:3000"], organization.GetProperty("whitelistedOrigins").EnumerateArray().Select(o => o.GetString()));

        using var admin = fixture.Admin();
        var fetched = await (await admin.GetAsync($"/api/v1/admin/organizations/{id}")).ReadJsonAsync();
        Assert.Equal("Acme", fetched.Str("name"));
        Assert.False(fetched.TryGetProperty("clientSecret", out _));
        Assert.DoesNotContain(created.Str("clientSecret"), fetched.GetRawText());
        Assert.Equal("https://app.acme.example/callback", fetched.GetProperty("redirectUris")[0].GetString());
        var settings = fetched.GetProperty("settings");
        Assert.Equal(3600, settings.GetProperty("maxSessionTime").GetInt32());
        Assert.True(settings.GetProperty("allowLocalhost").GetBoolean());
        Assert.Equal("link", settings.Str("defaultEmailLoginType"));
        Assert.True(settings.GetProperty("enableUserCreation").GetBoolean());
        Assert.True(fetched.GetProperty("connections").GetProperty("email").GetBoolean());
        Assert.False(fetched.GetProperty("connections").GetProperty("passkey").GetBoolean());

        // The secret works for the CentralAuth face at once (authenticated: the missing form is the next problem).
        var verify = await VerifyWithAsync(id, created.Str("clientSecret"));
        await verify.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
    }

    [Fact]
    public async Task Create_without_a_name_is_missingFields()
    {
        using var admin = fixture.Admin();

        var empty = await admin.PostAsJsonAsync("/api/v1/admin/organizations", new { });
        var none = await admin.PostAsync("/api/v1/admin/organizations", new StringContent("", Encoding.UTF8, "application/json"));

        var body = await empty.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        Assert.Equal("name", body.GetProperty("details")[0].Str("location"));
        await none.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
    }

    [Fact]
    public async Task Invalid_fields_are_entityInvalid_with_one_detail_per_bad_field()
    {
        using var admin = fixture.Admin();

        var response = await admin.PostAsJsonAsync("/api/v1/admin/organizations", new
        {
            name = "Valid name",
            whitelistedOrigins = new[] { "https://ok.example", "https://bad.example/path", "ftp://files.example", "not an origin" },
            redirectUris = new[] { "https://ok.example/cb", "https://ok.example/cb#fragment", "/relative", "javascript:alert(1)" },
            settings = new { maxSessionTime = 0, maxInactivityTime = -5, defaultEmailLoginType = "carrier-pigeon" },
        });

        await response.AssertDetailsAsync("entityInvalid",
            "whitelistedOrigins[1]", "whitelistedOrigins[2]", "whitelistedOrigins[3]",
            "redirectUris[1]", "redirectUris[2]", "redirectUris[3]",
            "settings.maxSessionTime", "settings.maxInactivityTime", "settings.defaultEmailLoginType");
    }

    [Fact]
    public async Task Malformed_json_is_entityInvalid()
    {
        using var admin = fixture.Admin();

        var response = await admin.PostAsync("/api/v1/admin/organizations", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));
        var wrongType = await admin.PostAsync("/api/v1/admin/organizations", new StringContent("{\"name\": \"x\", \"whitelistedOrigins\": 5}", Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await wrongType.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_contentTypeInvalid_and_unknown_paths_entityMissing()
    {
        var id = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();

        var text = await admin.PatchAsync($"/api/v1/admin/organizations/{id}", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var none = await admin.PostAsync("/api/v1/admin/organizations", null);
        var unknown = await admin.PostAsJsonAsync("/api/v1/admin/no_such_resource", new { name = "x" });

        await text.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "contentTypeInvalid");
        await none.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "contentTypeInvalid");
        await unknown.AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
    }

    [Fact]
    public async Task Update_changes_only_the_fields_given_and_validates_them()
    {
        var id = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();

        var updated = await (await admin.PatchAsJsonAsync($"/api/v1/admin/organizations/{id}", new
        {
            name = "Renamed",
            whitelistedOrigins = new[] { "https://new.example" },
            redirectUris = new[] { "https://new.example/oidc/callback" },
            settings = new { checkIp = true },
        })).ReadJsonAsync();
        var invalid = await admin.PatchAsJsonAsync($"/api/v1/admin/organizations/{id}", new { name = "", whitelistedOrigins = new[] { "https://x.example/" , "https://y.example/p" } });

        Assert.Equal("Renamed", updated.Str("name"));
        Assert.Equal("https://new.example", updated.GetProperty("whitelistedOrigins")[0].GetString());
        Assert.True(updated.GetProperty("settings").GetProperty("checkIp").GetBoolean());
        Assert.Equal(30 * 24 * 3600, updated.GetProperty("settings").GetProperty("maxSessionTime").GetInt32());
        await invalid.AssertDetailsAsync("entityInvalid", "name", "whitelistedOrigins[1]");
        var after = await (await admin.GetAsync($"/api/v1/admin/organizations/{id}")).ReadJsonAsync();
        Assert.Equal("Renamed", after.Str("name"));

        // The OpenID Connect client follows: its redirect URIs are the organization's.
        var application = await fixture.Factory.WithDbAsync(db => db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .AsNoTracking().SingleAsync(a => a.ClientId == id.ToString()));
        Assert.Equal("Renamed", application.DisplayName);
        Assert.Contains("https://new.example/oidc/callback", application.RedirectUris);
    }

    [Fact]
    public async Task List_is_paged_oldest_first()
    {
        using var admin = fixture.Admin();
        var first = await (await admin.GetAsync("/api/v1/admin/organizations?limitPerPage=1")).ReadJsonAsync();
        var total = first.GetProperty("pager").GetProperty("totalEntities").GetInt32();
        var mine = await fixture.CreateOrganizationViaApiAsync();

        var last = await (await admin.GetAsync($"/api/v1/admin/organizations?limitPerPage=1&pageIndex={total}")).ReadJsonAsync();

        Assert.Equal(total + 1, last.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        Assert.Equal(total + 1, last.GetProperty("pager").GetProperty("pages").GetInt32());
        Assert.Equal(mine.GetProperty("organization").GetGuid("id"), last.GetProperty("data")[0].GetGuid("id"));
    }

    [Fact]
    public async Task Delete_removes_the_organization_its_users_and_its_client()
    {
        var id = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var user = await fixture.CreateUserViaApiAsync(id, "gone@example.com");
        using var admin = fixture.Admin();

        await (await admin.DeleteAsync($"/api/v1/admin/organizations/{id}")).AssertNoContentAsync();

        await (await admin.GetAsync($"/api/v1/admin/organizations/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.GetAsync($"/api/v1/admin/users/{user.GetGuid("id")}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.DeleteAsync($"/api/v1/admin/organizations/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .AnyAsync(a => a.ClientId == id.ToString())));
    }

    [Fact]
    public async Task Unknown_ids_are_entityMissing()
    {
        using var admin = fixture.Admin();
        var unknown = Guid.NewGuid();

        var responses = new[]
        {
            await admin.GetAsync($"/api/v1/admin/organizations/{unknown}"),
            await admin.PatchAsJsonAsync($"/api/v1/admin/organizations/{unknown}", new { name = "x" }),
            await admin.PostAsync($"/api/v1/admin/organizations/{unknown}/rotate_secret", null),
            await admin.PostAsync($"/api/v1/admin/organizations/{unknown}/activate_secret", null),
            await admin.GetAsync($"/api/v1/admin/organizations/{unknown}/users"),
            await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{unknown}/users", new { email = "a@example.com" }),
            await admin.GetAsync("/api/v1/admin/organizations/not-a-guid"),
            await admin.GetAsync("/api/v1/admin/no_such_resource"),
        };

        foreach (var response in responses)
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        }
    }

    [Fact]
    public async Task Rotation_accepts_old_and_new_secret_until_activation_then_only_the_new_one()
    {
        var created = await fixture.CreateOrganizationViaApiAsync();
        var id = created.GetProperty("organization").GetGuid("id");
        var oldSecret = created.Str("clientSecret");
        using var admin = fixture.Admin();

        var rotated = await (await admin.PostAsync($"/api/v1/admin/organizations/{id}/rotate_secret", null)).ReadJsonAsync();
        var newSecret = rotated.Str("clientSecret");
        Assert.NotEqual(oldSecret, newSecret);
        var pending = await (await admin.GetAsync($"/api/v1/admin/organizations/{id}")).ReadJsonAsync();
        Assert.True(pending.GetProperty("secretRotationPending").GetBoolean());

        // Both authenticate (the missing form is what /api/v1/verify complains about next).
        await (await VerifyWithAsync(id, oldSecret)).AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        await (await VerifyWithAsync(id, newSecret)).AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");

        var activated = await (await admin.PostAsync($"/api/v1/admin/organizations/{id}/activate_secret", null)).ReadJsonAsync();
        Assert.False(activated.GetProperty("secretRotationPending").GetBoolean());

        await (await VerifyWithAsync(id, oldSecret)).AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
        await (await VerifyWithAsync(id, newSecret)).AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        var again = await admin.PostAsync($"/api/v1/admin/organizations/{id}/activate_secret", null);
        await again.AssertDetailsAsync("entityInvalid", "pendingSecret");
    }

    [Fact]
    public async Task A_rotated_secret_signs_tokens_that_userinfo_accepts_after_activation()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var rotated = await (await admin.PostAsync($"/api/v1/admin/organizations/{organization.Id}/rotate_secret", null)).ReadJsonAsync();
        await (await admin.PostAsync($"/api/v1/admin/organizations/{organization.Id}/activate_secret", null)).ReadJsonAsync();
        var renewed = organization with { Secret = rotated.Str("clientSecret") };
        using var driver = fixture.Driver();

        var tokens = await driver.SignInAndVerifyAsync(renewed, "rotated@example.com");

        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(renewed, tokens.AccessToken)).StatusCode);
        await (await driver.UserInfoAsync(organization, tokens.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
    }

    private async Task<HttpResponseMessage> VerifyWithAsync(Guid id, string secret)
    {
        using var client = fixture.Anonymous();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{secret}")));
        return await client.SendAsync(request);
    }
}
