using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace AuthServer.Hosting.Http;

public static class HttpHygieneSetup
{
    /// <summary>The name prefix browsers hold to Secure, Path=/ and no Domain: no subdomain or http page can plant or shadow the cookie.</summary>
    public const string HostCookiePrefix = "__Host-";

    /// <summary>Registered right after the error middleware's filter: its refusals are shaped like every other error.</summary>
    public static IServiceCollection AddHttpHygiene(this IServiceCollection services)
    {
        services.AddSingleton<RouteMethods>();
        services.AddTransient<IStartupFilter, HttpHygieneFilter>();
        // A JSON object naming a field twice is ambiguous (which one did the sender mean?): refused, not last-wins.
        services.Configure<JsonOptions>(o => o.SerializerOptions.AllowDuplicateProperties = false);
        // Over https the anti-forgery cookie is __Host- and Secure, like the session cookie (SessionCookie).
        services.AddOptions<AntiforgeryOptions>().PostConfigure<IOptions<ServerOptions>>((antiforgery, server) =>
        {
            if (server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttps)
            {
                antiforgery.Cookie.Name = HostCookiePrefix + antiforgery.Cookie.Name;
                antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                antiforgery.Cookie.Path = "/";
            }
        });
        return services;
    }

    private sealed class HttpHygieneFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<HttpHygieneMiddleware>();
            next(app);
        };
    }
}
