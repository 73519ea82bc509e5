namespace AuthServer.Hosting;

public static class DiscoveryCache
{
    private const string Policy = "discovery";

    /// <summary>
    /// The discovery document and the key set change only when the configuration or the keys do (both fixed
    /// for the life of the process), yet OpenIddict builds and serializes them on every request. Cache the
    /// serialized answers in memory for a minute.
    /// </summary>
    public static IServiceCollection AddDiscoveryCache(this IServiceCollection services) =>
        services.AddOutputCache(options => options.AddBasePolicy(policy => policy
            .With(context => context.HttpContext.Request.Path.StartsWithSegments("/.well-known"))
            .Expire(TimeSpan.FromMinutes(1))
            .Tag(Policy)));
}
