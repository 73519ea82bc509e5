using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Webhooks;

public sealed class WebhookDeliveryTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    [Fact]
    public async Task Signed_events_arrive_for_a_user_change_a_sign_in_and_a_session_end()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var path = NewPath();
        var (_, secret) = await CreateEndpointAsync(admin, organization.Id, fixture.Receiver.UrlFor(path),
            "user.created", "user.updated", "signin.succeeded", "session.ended");
        const string email = "hooked@example.com";

        var user = await fixture.CreateUserAsync(admin, organization.Id, email);
        var userId = user.GetGuid("id");
        (await admin.PatchAsJsonAsync($"/api/v1/admin/users/{userId}", new { verified = true })).EnsureSuccessStatusCode();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, email);
        (await driver.LogoutAsync(organization, tokens.AccessToken)).EnsureSuccessStatusCode();

        var received = await fixture.Receiver.WaitForAsync(path, got => got.Select(r => r.Type).Distinct().Count() == 4);
        Assert.Equal(4, received.Count);
        foreach (var webhook in received)
        {
            Assert.True(WebhookReceiver.Verify(secret, webhook), $"Signature of {webhook.Type} does not verify: {webhook.Signature}");
            Assert.False(WebhookReceiver.Verify("whsec_" + Convert.ToBase64String(new byte[32]), webhook));
            Assert.False(WebhookReceiver.Verify(secret, webhook with { Body = webhook.Body + " " }));
            Assert.False(WebhookReceiver.Verify(secret, webhook with { Id = "msg_other" }));
            Assert.StartsWith("msg_", webhook.Id);
            var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(webhook.Timestamp, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(Math.Abs((DateTimeOffset.UtcNow - sent).TotalMinutes) < 5, $"webhook-timestamp {webhook.Timestamp} is not now");
            Assert.True(webhook.Json.TryGetProperty("timestamp", out _));
        }

        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        var created = Data(received, "user.created");
        Assert.Equal(userId, created.GetGuid("id"));
        Assert.Equal(email, created.Str("email"));
        Assert.True(Data(received, "user.updated").GetProperty("verified").GetBoolean());
        var signedIn = Data(received, "signin.succeeded");
        Assert.Equal(userId, signedIn.GetGuid("userId"));
        Assert.Equal(organization.Id, signedIn.GetGuid("organizationId"));
        Assert.Equal("email", signedIn.Str("method"));
        var ended = Data(received, "session.ended");
        Assert.Equal(signedIn.GetGuid("sessionId"), ended.GetGuid("sessionId"));
        Assert.Equal(userId, ended.GetGuid("userId"));
        Assert.Equal("logout", ended.Str("reason"));
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_event_again_each_time_and_the_attempts_are_listed_and_logged()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var path = NewPath();
        fixture.Receiver.FailFirst(path, 2);
        var (endpointId, secret) = await CreateEndpointAsync(admin, organization.Id, fixture.Receiver.UrlFor(path), "user.created");

        await fixture.CreateUserAsync(admin, organization.Id, "retried@example.com");

        var received = await fixture.Receiver.WaitForAsync(path, got => got.Count >= 3, diagnostics: () => WebhookLog());
        Assert.Equal([500, 500, 200], received.Select(r => r.AnsweredStatus));
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.Single(received.Select(r => r.Body).Distinct());
        Assert.All(received, r => Assert.True(WebhookReceiver.Verify(secret, r)));

        var delivery = await WaitForDeliveryAsync(admin, endpointId, d => d.Str("status") == "succeeded");
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivery.GetProperty("lastStatusCode").GetInt32());
        Assert.True(delivery.GetProperty("lastDurationMs").GetInt32() >= 0);
        Assert.False(delivery.TryGetProperty("nextAttemptAt", out _));
        Assert.Equal(received[0].Id, delivery.Str("messageId"));
        var attempts = await (await admin.GetAsync($"/api/v1/admin/webhook_deliveries/{delivery.GetGuid("id")}/attempts")).ReadJsonAsync();
        Assert.Equal([500, 500, 200], attempts.EnumerateArray().Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal([false, false, true], attempts.EnumerateArray().Select(a => a.GetProperty("succeeded").GetBoolean()));
        Assert.All(attempts.EnumerateArray(), a => Assert.True(a.GetProperty("durationMs").GetInt32() >= 0));
        var log = fixture.Log.Text;
        Assert.Contains($"to endpoint {endpointId} failed (attempt 1 of {WebhookFixture.MaxAttempts}", log);
        Assert.Contains($"to endpoint {endpointId} failed (attempt 2 of {WebhookFixture.MaxAttempts}", log);
        Assert.Contains($"delivered to endpoint {endpointId} on attempt 3", log);

        // Send again: the same message (same webhook-id) once more.
        var resent = await (await admin.PostAsync($"/api/v1/admin/webhook_deliveries/{delivery.GetGuid("id")}/resend", null)).ReadJsonAsync();
        Assert.Equal("pending", resent.Str("status"));
        var again = await fixture.Receiver.WaitForAsync(path, got => got.Count >= 4);
        Assert.Equal(received[0].Id, again[3].Id);
        Assert.Equal(200, again[3].AnsweredStatus);
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_is_disabled_and_audited_and_gets_no_more_events()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var path = NewPath();
        fixture.Receiver.FailAlways(path);
        var (endpointId, _) = await CreateEndpointAsync(admin, organization.Id, fixture.Receiver.UrlFor(path), "user.created");

        await fixture.CreateUserAsync(admin, organization.Id, "failing@example.com");

        var delivery = await WaitForDeliveryAsync(admin, endpointId, d => d.Str("status") == "failed");
        Assert.Equal(WebhookFixture.MaxAttempts, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(WebhookFixture.MaxAttempts, fixture.Receiver.ReceivedOn(path).Count);
        var endpoint = await (await admin.GetAsync($"/api/v1/admin/webhooks/{endpointId}")).ReadJsonAsync();
        Assert.False(endpoint.GetProperty("enabled").GetBoolean());
        Assert.Contains("failed attempts in a row", endpoint.Str("disabledReason"));
        var audited = await fixture.Factory.WithDbAsync(db => db.AuditLog.Where(a => a.Action == "webhook.disable" && a.TargetId == endpointId.ToString()).ToListAsync());
        Assert.Single(audited);
        Assert.Equal(organization.Id, audited[0].OrganizationId);

        // Disabled: new events are not queued for it, and "send again" is refused until it is enabled.
        await fixture.CreateUserAsync(admin, organization.Id, "failing2@example.com");
        var deliveries = await (await admin.GetAsync($"/api/v1/admin/webhooks/{endpointId}/deliveries")).ReadJsonAsync();
        Assert.Equal(1, deliveries.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        await (await admin.PostAsync($"/api/v1/admin/webhook_deliveries/{delivery.GetGuid("id")}/resend", null))
            .AssertDetailsAsync("entityInvalid", "endpoint");
        var enabled = await (await admin.PatchAsJsonAsync($"/api/v1/admin/webhooks/{endpointId}", new { enabled = true })).ReadJsonAsync();
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, enabled.GetProperty("consecutiveFailures").GetInt32());
        Assert.False(enabled.TryGetProperty("disabledReason", out _));
    }

    [Fact]
    public async Task The_admin_api_validates_endpoints_keeps_the_secret_encrypted_and_checks_scope()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var url = fixture.Receiver.UrlFor(NewPath());
        var hooks = $"/api/v1/admin/organizations/{organization.Id}/webhooks";

        await (await admin.PostAsJsonAsync(hooks, new { })).AssertDetailsAsync("missingFields", "url", "eventTypes");
        await (await admin.PostAsJsonAsync(hooks, new { url, eventTypes = new[] { "user.created", "user.exploded" } })).AssertDetailsAsync("entityInvalid", "eventTypes[1]");
        await (await admin.PostAsJsonAsync(hooks, new { url, eventTypes = Array.Empty<string>() })).AssertDetailsAsync("entityInvalid", "eventTypes");
        await (await admin.PostAsJsonAsync(hooks, new { url = "ftp://example.com/x", eventTypes = new[] { "user.created" } })).AssertDetailsAsync("entityInvalid", "url");
        await (await admin.PostAsJsonAsync(hooks, new { url = "https://user:pw@example.com/x", eventTypes = new[] { "user.created" } })).AssertDetailsAsync("entityInvalid", "url");
        await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{Guid.NewGuid()}/webhooks", new { url, eventTypes = new[] { "user.created" } }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.GetAsync($"/api/v1/admin/webhooks/{Guid.NewGuid()}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.GetAsync($"/api/v1/admin/webhook_deliveries/{Guid.NewGuid()}/attempts")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
        await (await admin.PostAsync($"/api/v1/admin/webhook_deliveries/{Guid.NewGuid()}/resend", null)).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");

        var (id, secret) = await CreateEndpointAsync(admin, organization.Id, url, "user.created", "user.created", "session.ended");
        var shown = await (await admin.GetAsync($"/api/v1/admin/webhooks/{id}")).ReadJsonAsync();
        Assert.False(shown.TryGetProperty("secret", out _));
        Assert.Equal(["user.created", "session.ended"], shown.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        var stored = await fixture.Factory.WithDbAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == id));
        Assert.DoesNotContain(secret["whsec_".Length..], stored.ProtectedSecret);
        var listed = await (await admin.GetAsync(hooks)).ReadJsonAsync();
        Assert.Equal(id, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetGuid("id"));

        var rotated = await (await admin.PostAsync($"/api/v1/admin/webhooks/{id}/rotate_secret", null)).ReadJsonAsync();
        Assert.StartsWith("whsec_", rotated.Str("secret"));
        Assert.NotEqual(secret, rotated.Str("secret"));

        // A key scoped to another organization sees none of it.
        using var scoped = fixture.CreateClient();
        scoped.DefaultRequestHeaders.Authorization = new("Bearer", await KeyForAsync(other.Id));
        await (await scoped.GetAsync($"/api/v1/admin/webhooks/{id}")).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        await (await scoped.PostAsJsonAsync(hooks, new { url, eventTypes = new[] { "user.created" } })).AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");

        await (await admin.DeleteAsync($"/api/v1/admin/webhooks/{id}")).AssertNoContentAsync();
        await (await admin.GetAsync($"/api/v1/admin/webhooks/{id}")).AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
    }

    [Fact]
    public async Task Events_of_other_types_and_other_organizations_are_not_sent()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        var path = NewPath();
        await CreateEndpointAsync(admin, organization.Id, fixture.Receiver.UrlFor(path), "user.deleted");

        await fixture.CreateUserAsync(admin, other.Id, "elsewhere@example.com");
        var user = await fixture.CreateUserAsync(admin, organization.Id, "deleted@example.com");
        await (await admin.DeleteAsync($"/api/v1/admin/users/{user.GetGuid("id")}")).AssertNoContentAsync();

        var received = await fixture.Receiver.WaitForAsync(path, got => got.Count >= 1);
        await Task.Delay(500);
        var only = Assert.Single(fixture.Receiver.ReceivedOn(path));
        Assert.Equal("user.deleted", only.Type);
        Assert.Equal(user.GetGuid("id"), only.Json.GetProperty("data").GetGuid("id"));
        Assert.Same(received[0].Body, received[0].Body);
    }

    private string WebhookLog() => string.Join("\n", fixture.Log.Entries.Where(e => e.Contains("Webhook", StringComparison.Ordinal)));

    private async Task<string> KeyForAsync(Guid organizationId)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync("scoped", organizationId, AuditActor.CommandLine(), CancellationToken.None);
        return created.Value!.Key;
    }

    private static JsonElement Data(IEnumerable<ReceivedWebhook> received, string type) =>
        received.Single(r => r.Type == type).Json.GetProperty("data");

    private static string NewPath() => "hook-" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<(Guid Id, string Secret)> CreateEndpointAsync(HttpClient admin, Guid organizationId, string url, params string[] types)
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/webhooks", new { url, eventTypes = types, description = "test receiver" });
        var body = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/admin/webhooks/{body.GetProperty("endpoint").GetGuid("id")}", response.Headers.Location?.OriginalString);
        return (body.GetProperty("endpoint").GetGuid("id"), body.Str("secret"));
    }

    private static async Task<JsonElement> WaitForDeliveryAsync(HttpClient admin, Guid endpointId, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = await (await admin.GetAsync($"/api/v1/admin/webhooks/{endpointId}/deliveries")).ReadJsonAsync();
            var first = page.GetProperty("data").EnumerateArray().FirstOrDefault();
            if (first.ValueKind == JsonValueKind.Object && condition(first))
            {
                return first;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out; deliveries: {page}");
            await Task.Delay(100);
        }
    }
}

public static class WebhookFixtureExtensions
{
    public static async Task<JsonElement> CreateUserAsync(this WebhookFixture fixture, HttpClient admin, Guid organizationId, string email)
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organizationId}/users", new { email });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }
}
