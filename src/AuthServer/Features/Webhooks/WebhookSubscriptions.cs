using AuthServer.Data;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace AuthServer.Features.Webhooks;

/// <summary>One enabled endpoint and the event types it wants.</summary>
public sealed record WebhookSubscription(Guid EndpointId, IReadOnlySet<string> EventTypes);

/// <summary>
/// The enabled endpoints of each organization, cached like the organization itself (<see cref="OrganizationCache.Lifetime"/>):
/// a sign-in asks on every completion, and most organizations have none. A change on this instance drops the
/// entry at once; another instance sees it within the lifetime.
/// </summary>
public sealed class WebhookSubscriptions(IMemoryCache cache, IServiceScopeFactory scopes)
{
    public async ValueTask<IReadOnlyList<WebhookSubscription>> ForAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(organizationId), out IReadOnlyList<WebhookSubscription>? cached) && cached is not null)
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var rows = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.OrganizationId == organizationId && e.Enabled)
            .Select(e => new { e.Id, e.EventTypes })
            .ToListAsync(cancellationToken);
        IReadOnlyList<WebhookSubscription> subscriptions = [.. rows.Select(r => new WebhookSubscription(r.Id, r.EventTypes.ToHashSet(StringComparer.Ordinal)))];
        cache.Set(Key(organizationId), subscriptions, OrganizationCache.Lifetime);
        return subscriptions;
    }

    public void Invalidate(Guid organizationId) => cache.Remove(Key(organizationId));

    private static string Key(Guid organizationId) => "webhooks:" + organizationId.ToString("N");
}
