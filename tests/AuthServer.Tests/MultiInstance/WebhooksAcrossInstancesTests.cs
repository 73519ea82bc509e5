using AuthServer.Features.Admin;
using AuthServer.Features.Webhooks;
using AuthServer.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.MultiInstance;

/// <summary>Two server processes share the webhook outbox: every event reaches the receiver once.</summary>
public sealed class WebhooksAcrossInstancesTests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    [Fact]
    public async Task Two_instances_deliver_each_event_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var organization = await fixture.CreateOrganizationAsync();
        var caller = AdminCaller.ApiKey(Guid.Empty, null, null);
        string secret;
        await using (var scope = fixture.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<WebhookAdmin>().CreateAsync(caller, organization.Id,
                new WebhookEndpointRequest { Url = receiver.UrlFor("both"), EventTypes = ["user.created"] }, CancellationToken.None);
            Assert.False(created.Failed, created.Error?.Message);
            secret = created.Value!.Secret;
        }

        // The events are queued by the in-process instance (which sends none); A and B share the sending.
        const int events = 30;
        for (var i = 0; i < events; i++)
        {
            await using var scope = fixture.Services.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<UserAdmin>()
                .CreateAsync(caller, organization.Id, new CreateUserRequest { Email = $"multi{i}@example.com" }, CancellationToken.None);
            Assert.False(created.Failed, created.Error?.Message);
        }

        await receiver.WaitForAsync("both", got => got.Select(r => r.Id).Distinct().Count() == events, seconds: 60);
        // Give a duplicate the time to show up, if there were one.
        await Task.Delay(1500);
        var received = receiver.ReceivedOn("both");
        Assert.Equal(events, received.Count);
        Assert.Equal(events, received.Select(r => r.Id).Distinct().Count());
        Assert.All(received, r => Assert.True(WebhookReceiver.Verify(secret, r)));
        var emails = received.Select(r => r.Json.GetProperty("data").GetProperty("email").GetString()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, events).Select(i => $"multi{i}@example.com").Order(), emails);
    }
}
