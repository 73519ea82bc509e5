using AuthServer.Features.Audit;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.Features.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Admin;

/// <summary>A login server with a global admin key, created like the command line creates it.</summary>
public sealed class AdminFixture : LoginServerFixture
{
    public string GlobalKey { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        GlobalKey = await CreateKeyAsync("test global key");
    }

    /// <summary>A key through the service the CLI uses; scoped when <paramref name="organizationId"/> is given.</summary>
    public async Task<string> CreateKeyAsync(string name, Guid? organizationId = null)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync(name, organizationId, AuditActor.CommandLine(), CancellationToken.None);
        Assert.False(created.Failed, created.Error?.Code);
        return created.Value!.Key;
    }

    /// <summary>An HTTP client sending <c>Authorization: Bearer key</c> (none when null).</summary>
    public HttpClient Admin(string? key = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? GlobalKey);
        return client;
    }

    public HttpClient Anonymous() => CreateClient();

    /// <summary>POST /organizations with the global key; returns the response body.</summary>
    public async Task<JsonElement> CreateOrganizationViaApiAsync(object? body = null)
    {
        using var client = Admin();
        var response = await client.PostAsJsonAsync("/api/v1/admin/organizations",
            body ?? new { name = "Org " + Guid.NewGuid().ToString("N")[..6], whitelistedOrigins = new[] { AppOrigin } });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    public async Task<JsonElement> CreateUserViaApiAsync(Guid organizationId, string email)
    {
        using var client = Admin();
        var response = await client.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/users", new { email });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }
}

public static class AdminAssertions
{
    /// <summary>Asserts the status and returns the JSON body.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task AssertNoContentAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"Expected 204, got {(int)response.StatusCode}: {text}");
    }

    /// <summary>Asserts an entityInvalid (or other) error whose details name exactly these locations.</summary>
    public static async Task AssertDetailsAsync(this HttpResponseMessage response, string errorCode, params string[] locations)
    {
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, errorCode);
        var actual = body.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("location").GetString()).ToArray();
        Assert.Equal(locations.Order(), actual.Order());
        Assert.All(body.GetProperty("details").EnumerateArray(), d => Assert.False(string.IsNullOrWhiteSpace(d.GetProperty("message").GetString())));
    }

    public static Guid GetGuid(this JsonElement element, string property) => element.GetProperty(property).GetGuid();

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static async Task<T> WithServiceAsync<T, TService>(this AuthServerFactory factory, Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
