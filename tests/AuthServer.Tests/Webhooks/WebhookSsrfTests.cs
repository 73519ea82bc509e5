using System.Net;
using System.Net.Http.Json;
using AuthServer.Tests.Admin;

namespace AuthServer.Tests.Webhooks;

/// <summary>With the defaults (Webhooks:AllowPrivateNetworks off), loopback targets are refused.</summary>
public sealed class WebhookSsrfTests(DefaultWebhookFixture fixture) : IClassFixture<DefaultWebhookFixture>
{
    [Fact]
    public async Task A_literal_loopback_or_private_address_or_plain_http_is_refused_when_the_endpoint_is_created()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var hooks = $"/api/v1/admin/organizations/{organization.Id}/webhooks";
        foreach (var url in new[] { $"https://127.0.0.1:{fixture.Receiver.Port}/x", "https://10.1.2.3/x", "https://169.254.169.254/latest", "https://[::1]/x", "http://example.com/x" })
        {
            await (await admin.PostAsJsonAsync(hooks, new { url, eventTypes = new[] { "user.created" } })).AssertDetailsAsync("entityInvalid", "url");
        }
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_at_connect_time_and_the_receiver_gets_nothing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        const string path = "ssrf";
        // A name passes validation; the check on the resolved address at connect time refuses it.
        var (endpointId, _) = await WebhookDeliveryTests.CreateEndpointAsync(admin, organization.Id, $"https://localhost:{fixture.Receiver.Port}/{path}", "user.created");

        await fixture.CreateUserAsync(admin, organization.Id, "ssrf@example.com");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        System.Text.Json.JsonElement delivery;
        while (true)
        {
            var page = await (await admin.GetAsync($"/api/v1/admin/webhooks/{endpointId}/deliveries")).ReadJsonAsync();
            delivery = page.GetProperty("data").EnumerateArray().FirstOrDefault();
            if (delivery.ValueKind == System.Text.Json.JsonValueKind.Object && delivery.GetProperty("attempts").GetInt32() >= 1)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No attempt: {page}");
            await Task.Delay(100);
        }

        Assert.Contains("non-public addresses", delivery.Str("lastError"));
        Assert.False(delivery.TryGetProperty("lastStatusCode", out _));
        Assert.Empty(fixture.Receiver.ReceivedOn(path));
    }

    [Fact]
    public async Task Metrics_are_not_served_on_the_public_listener_unless_configured()
    {
        using var client = fixture.CreateClient();
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
