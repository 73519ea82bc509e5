using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Admin;

public sealed class OpenApiTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task The_document_describes_the_admin_and_centralauth_apis_with_catalog_errors_and_the_key_scheme()
    {
        using var client = fixture.Anonymous();

        var document = await (await client.GetAsync("/openapi/v1.json")).ReadJsonAsync();

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/admin/organizations/{id}/rotate_secret", out _));
        Assert.True(paths.TryGetProperty("/api/v1/admin/audit_log", out _));
        var mailLog = paths.GetProperty("/api/v1/admin/mail_log").GetProperty("get");
        Assert.Equal("ListMailLog", mailLog.Str("operationId"));
        Assert.Equal(new[] { "limitPerPage", "organizationId", "pageIndex", "recipient", "status" },
            mailLog.GetProperty("parameters").EnumerateArray().Select(p => p.Str("name")).Order(StringComparer.Ordinal).ToArray());
        Assert.True(paths.TryGetProperty("/api/v1/verify", out _));
        Assert.True(paths.TryGetProperty("/api/v1/userinfo", out _));
        Assert.False(paths.TryGetProperty("/login", out _));

        var get = paths.GetProperty("/api/v1/admin/organizations/{id}").GetProperty("get");
        Assert.Equal("GetOrganization", get.Str("operationId"));
        var responses = get.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "403", "404" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"no {status} response");
        }

        var unauthorized = responses.GetProperty("401").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetRawText();
        Assert.Contains("Body", unauthorized);
        Assert.Equal(JsonValueKind.Array, get.GetProperty("security").ValueKind);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey");
        Assert.Equal("bearer", scheme.Str("scheme"));
        var verify = paths.GetProperty("/api/v1/verify").GetProperty("post").GetProperty("responses");
        Assert.True(verify.TryGetProperty("401", out var verifyUnauthorized), "no 401 on /api/v1/verify");
        Assert.True(verifyUnauthorized.GetProperty("content").TryGetProperty("application/json", out _));
        var list = paths.GetProperty("/api/v1/admin/organizations").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.Str("name"));
        Assert.Contains("pageIndex", list);
        Assert.Contains("limitPerPage", list);
        Assert.DoesNotContain("caller", list);
        var create = paths.GetProperty("/api/v1/admin/organizations").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
    }

    [Fact]
    public async Task The_document_describes_branding_with_its_image_upload()
    {
        using var client = fixture.Anonymous();

        var paths = (await (await client.GetAsync("/openapi/v1.json")).ReadJsonAsync()).GetProperty("paths");

        var branding = paths.GetProperty("/api/v1/admin/organizations/{id}/branding");
        Assert.True(branding.GetProperty("put").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(branding.GetProperty("get").GetProperty("responses").TryGetProperty("200", out _));
        var upload = paths.GetProperty("/api/v1/admin/organizations/{id}/branding/logo").GetProperty("put").GetProperty("requestBody").GetProperty("content");
        Assert.True(upload.TryGetProperty("image/png", out _));
        Assert.True(upload.TryGetProperty("image/webp", out _));
        Assert.False(upload.TryGetProperty("image/svg+xml", out _));
        Assert.True(paths.TryGetProperty("/api/v1/admin/branding/keys", out _));
        Assert.False(paths.TryGetProperty("/branding/theme/{colors}", out _));
    }

    [Fact]
    public async Task The_scalar_reference_is_not_served_outside_development()
    {
        using var client = fixture.Anonymous();

        var response = await client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
