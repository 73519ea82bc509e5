using AuthServer.Features.Organizations;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.EntityFrameworkCore.Models;

namespace AuthServer.Features.Connect;

/// <summary>
/// OpenIddict looks the client's application up by client id on every token, introspection and authorization
/// request, and its own entity cache lives for one request (it is scoped), so each lookup was a query. An
/// application changes only when its organization does, so this process-wide copy lives as long as the
/// organization cache's entries do (<see cref="OrganizationCache.Lifetime"/>): a change is seen everywhere
/// within that time, and at once on the instance that made it (<see cref="OpenIddictClientSync"/> drops the entry).
/// The shared instances are read-only: they are detached from the context that loaded them, and the sync reads
/// its own tracked row from the store before changing one.
/// </summary>
public sealed class SharedApplicationCache(IMemoryCache cache)
{
    public bool TryGet(string clientId, out OpenIddictEntityFrameworkCoreApplication? application) =>
        cache.TryGetValue(Key(clientId), out application);

    /// <summary>Unknown client ids are kept too (as null), so a flood of them costs no queries.</summary>
    public void Set(string clientId, OpenIddictEntityFrameworkCoreApplication? application) =>
        cache.Set(Key(clientId), application, OrganizationCache.Lifetime);

    public void Invalidate(string clientId) => cache.Remove(Key(clientId));

    private static string Key(string clientId) => "oidc-app:" + clientId;
}
