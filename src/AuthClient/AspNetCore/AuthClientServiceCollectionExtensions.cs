using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthServer.Client;

/// <summary>Registers <see cref="AuthClient"/> and its authentication scheme.</summary>
public static class AuthClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="AuthClient"/> configured from the <c>AuthClient</c> section of
    /// <paramref name="configuration"/>, a named <see cref="HttpClient"/> (<see cref="AuthClient.HttpClientName"/>),
    /// the memory cache, authorization, and the <see cref="AuthClientDefaults.AuthenticationScheme"/>
    /// authentication scheme (the default scheme unless the app set another). A configuration error stops
    /// the app at start with an <see cref="AuthException"/> (organizationIdMissing, secretMissing,
    /// authBaseUrlMissing, callbackUrlMissing, callbackUrlInvalid).
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">The app's configuration (the section <see cref="AuthClientOptions.SectionName"/> is read).</param>
    /// <param name="configure">Changes after binding, e.g. hooks.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAuthClient(this IServiceCollection services, IConfiguration configuration, Action<AuthClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AuthClientOptions>().Bind(configuration.GetSection(AuthClientOptions.SectionName));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services.AddAuthClientCore();
    }

    /// <summary>Adds <see cref="AuthClient"/> configured in code only; otherwise as <see cref="AddAuthClient(IServiceCollection, IConfiguration, Action{AuthClientOptions}?)"/>.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAuthClient(this IServiceCollection services, Action<AuthClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddAuthClientCore();
    }

    private static IServiceCollection AddAuthClientCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(AuthClientEndpointInfo)))
        {
            return services;
        }

        services.AddHttpClient(AuthClient.HttpClientName);
        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AuthClientEndpointInfo>();
        services.AddSingleton(provider => new AuthClient(
            provider.GetRequiredService<IOptions<AuthClientOptions>>().Value,
            provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetRequiredService<IMemoryCache>(),
            provider.GetRequiredService<ILogger<AuthClient>>(),
            provider.GetRequiredService<TimeProvider>()));
        // Fail fast: a configuration error stops the app at start, not at the first sign-in.
        services.AddHostedService<ConfigurationCheck>();

        services.AddAuthentication()
            .AddScheme<AuthClientAuthenticationOptions, AuthClientAuthenticationHandler>(AuthClientDefaults.AuthenticationScheme, AuthClientDefaults.DisplayName, null);
        services.PostConfigure<AuthenticationOptions>(options =>
        {
            if (options.DefaultScheme is null && options.DefaultAuthenticateScheme is null && options.DefaultChallengeScheme is null)
            {
                options.DefaultScheme = AuthClientDefaults.AuthenticationScheme;
            }
        });
        services.AddAuthorization();
        return services;
    }

    private sealed class ConfigurationCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<AuthClient>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
