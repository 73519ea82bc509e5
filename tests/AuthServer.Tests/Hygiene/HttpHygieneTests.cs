using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AuthServer.Tests.Hygiene;

/// <summary>Body limits, wrong methods and content types, unclean text, and the headers of every answer.</summary>
public sealed class HttpHygieneTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task A_body_over_64_KB_is_refused_unread_with_413_entityTooLarge()
    {
        using var client = fixture.Admin();
        var big = new string('a', 100 * 1024);

        var json = await client.PostAsync("/api/v1/admin/organizations", new StringContent($"{{\"name\":\"{big}\"}}", Encoding.UTF8, "application/json"));
        var body = await json.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "entityTooLarge");
        Assert.Contains("65536", body.GetProperty("message").GetString());

        var form = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = big }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, form.StatusCode);
        Assert.Contains("\"error\"", await form.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/verify", "POST")]
    [InlineData("PUT", "/api/v1/userinfo", "POST")]
    [InlineData("DELETE", "/api/v1/admin/organizations", "GET, POST")]
    [InlineData("GET", "/login/email", "POST")]
    [InlineData("DELETE", "/login", "GET")]
    public async Task A_known_path_with_another_method_is_405_methodNotAllowed_with_Allow(string method, string path, string allow)
    {
        using var client = fixture.Admin();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "methodNotAllowed");
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
    }

    [Theory]
    [InlineData("GET", "/connect/token", "POST")]
    [InlineData("DELETE", "/connect/authorize", "GET, POST")]
    public async Task Connect_paths_answer_another_method_405_in_the_RFC_format(string method, string path, string allow)
    {
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Contains("\"error\":\"invalid_request\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Discovery_paths_answer_another_method_405_methodNotAllowed()
    {
        using var client = fixture.CreateClient();

        var response = await client.PostAsync("/.well-known/jwks", null);

        await response.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "methodNotAllowed");
        Assert.Equal("GET, HEAD", string.Join(", ", response.Content.Headers.Allow));

        // A form posted there (a browser's, say) is answered in JSON too: these documents are for programs.
        var form = await client.PostAsync("/.well-known/openid-configuration", new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" }));
        await form.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "methodNotAllowed");
        Assert.Equal("application/json", form.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_JSON_endpoint_sent_a_form_is_415_contentTypeInvalid()
    {
        using var client = fixture.Admin();
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "x" });

        await (await client.PostAsync("/api/v1/admin/organizations", form)).AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "contentTypeInvalid");
        await (await client.PostAsync("/login/passkey/options", new StringContent("x", Encoding.UTF8, "text/plain")))
            .AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "contentTypeInvalid");
    }

    [Fact]
    public async Task Duplicate_JSON_keys_are_refused_with_entityInvalid_and_details()
    {
        using var client = fixture.Admin();

        var response = await client.PostAsync("/api/v1/admin/organizations",
            new StringContent("""{"name":"first","name":"second","whitelistedOrigins":["https://app.example.com"]}""", Encoding.UTF8, "application/json"));

        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        Assert.True(body.GetProperty("details").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Invalid_UTF8_or_control_characters_are_refused_with_entityInvalid_naming_the_parameter()
    {
        using var client = fixture.Admin();

        // JSON with a raw 0xFF byte inside a string.
        var bytes = new ByteArrayContent([.. "{\"name\":\"a"u8, 0xFF, .. "\"}"u8]);
        bytes.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var json = await client.PostAsync("/api/v1/admin/organizations", bytes);
        Assert.True((await json.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid")).GetProperty("details").GetArrayLength() > 0);

        // A form field with an invalid percent-encoded byte, and a query value with a NUL.
        var form = new StringContent("grant_type=client_credentials&client_id=%FF%FE", Encoding.ASCII, "application/x-www-form-urlencoded");
        var token = await client.PostAsync("/api/v1/verify", form);
        var body = await token.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        Assert.Equal("client_id", body.GetProperty("details")[0].GetProperty("location").GetString());

        // A percent-encoded NUL in a form value (the form reader itself refuses it): the parameter is still named.
        foreach (var (formBody, named) in new[] { ("code=abc&code_verifier=%00", "code_verifier"), ("code=a%00b", "code"), ("a%00=1", "form") })
        {
            var nul = await client.PostAsync("/api/v1/verify", new StringContent(formBody, Encoding.ASCII, "application/x-www-form-urlencoded"));
            Assert.Equal(named, (await nul.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid")).GetProperty("details")[0].GetProperty("location").GetString());
        }

        var query = await client.GetAsync("/api/v1/admin/audit_log?cursor=a%00b");
        Assert.Equal("cursor", (await query.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid")).GetProperty("details")[0].GetProperty("location").GetString());
    }

    [Fact]
    public async Task Every_answer_is_nosniff_private_ones_are_no_store_discovery_and_jwks_stay_cacheable()
    {
        using var client = fixture.Admin();
        foreach (var path in new[] { "/.well-known/openid-configuration", "/.well-known/jwks" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.False(response.Headers.CacheControl?.NoStore ?? false, path + " must stay cacheable");
        }

        var answers = new[]
        {
            await client.GetAsync("/api/v1/errors"),
            await client.GetAsync("/api/v1/admin/organizations"),
            await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" })),
            await client.GetAsync("/login?client_id=" + Guid.NewGuid()),
            await client.GetAsync("/api/v1/nothing-here"),
        };
        foreach (var response in answers)
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage!.RequestUri} answered without no-store");
        }

        var health = await client.GetAsync("/health/live");
        Assert.Equal("nosniff", health.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(health.Headers.Contains("Strict-Transport-Security"), "No HSTS when the public URL is http.");
    }
}

/// <summary>A server whose public URL is https: HSTS, and cookies with the __Host- prefix and Secure.</summary>
public sealed class HttpsServerFixture : LoginServerFixture
{
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Server:PublicBaseUrl"] = "https://localhost";
            return settings;
        }
    }

    public HttpClient CreateHttpsClient() => Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });
}

public sealed class HttpsCookieTests(HttpsServerFixture fixture) : IClassFixture<HttpsServerFixture>
{
    [Fact]
    public async Task Over_https_answers_carry_HSTS_and_the_cookies_are_Host_prefixed_and_Secure()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = new LoginDriver(fixture.CreateHttpsClient(), fixture.Outbox);

        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.StartsWith("max-age=", page.Response.Headers.GetValues("Strict-Transport-Security").Single());
        var antiforgery = Assert.Single(page.Response.Headers.GetValues("Set-Cookie"), c => c.Contains("authserver.antiforgery", StringComparison.Ordinal));
        Assert.StartsWith("__Host-authserver.antiforgery=", antiforgery);
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", antiforgery, StringComparison.OrdinalIgnoreCase);

        var codePage = await driver.SubmitEmailAsync(page, "https-user@example.com");
        var done = await driver.SubmitCodeAsync(codePage, fixture.Outbox.LatestCodeFor("https-user@example.com"));
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        var session = Assert.Single(done.Response.Headers.GetValues("Set-Cookie"), c => c.Contains("authserver.session", StringComparison.Ordinal));
        Assert.StartsWith("__Host-authserver.session=", session);
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", session, StringComparison.OrdinalIgnoreCase);
    }
}
