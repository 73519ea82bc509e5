namespace AuthServer.Hosting;

public static class DiscoveryCache
{
    /// <summary>Evicted when the key ring changes (KeyRingRefresher), so a new key is published at once.</summary>
    public const string Tag = "discovery";

    /// <summary>
    /// The discovery document and the key set change only when the configuration or the keys do (a key
    /// rotation evicts them), yet OpenIddict builds and serializes them on every request. Cache the
    /// serialized answers in memory for a minute.
    /// </summary>
    public static IServiceCollection AddDiscoveryCache(this IServiceCollection services) =>
        services.AddOutputCache(options => options.AddBasePolicy(policy => policy
            .With(context => context.HttpContext.Request.Path.StartsWithSegments("/.well-known"))
            .Expire(TimeSpan.FromMinutes(1))
            .Tag(Tag)));
}
