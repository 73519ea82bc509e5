using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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

    /// <summary>
    /// Adds the <see cref="AuthClient"/> scheme the ASP.NET Core way, beside the app's other schemes:
    /// <c>services.AddAuthentication(...).AddCookie().AddAuthClient("AuthClient", o => configuration.GetSection("AuthClient").Bind(o))</c>.
    /// Unlike the <see cref="IServiceCollection"/> shortcut it never makes itself the default scheme: name it in
    /// <c>AddAuthentication</c> or in <c>[Authorize(AuthenticationSchemes = ...)]</c>. One <see cref="AuthClient"/>
    /// per app: a second call only adds another scheme name over the same client.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme's name.</param>
    /// <param name="configure">Sets the client's options.</param>
    /// <param name="configureHandler">Sets the handler's options (login redirect of browsers).</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddAuthClient(this AuthenticationBuilder builder, string authenticationScheme, Action<AuthClientOptions> configure,
        Action<AuthClientAuthenticationOptions>? configureHandler = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        builder.Services.AddAuthClientServices();
        return builder.AddScheme<AuthClientAuthenticationOptions, AuthClientAuthenticationHandler>(authenticationScheme, AuthClientDefaults.DisplayName, configureHandler);
    }

    /// <summary>As <see cref="AddAuthClient(AuthenticationBuilder, string, Action{AuthClientOptions}, Action{AuthClientAuthenticationOptions}?)"/> with the scheme <see cref="AuthClientDefaults.AuthenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Sets the client's options.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddAuthClient(this AuthenticationBuilder builder, Action<AuthClientOptions> configure) =>
        builder.AddAuthClient(AuthClientDefaults.AuthenticationScheme, configure);

    /// <summary>
    /// Adds a health check (default name <c>authclient</c>) that runs <see cref="AuthClient.CheckConfigurationAsync"/>:
    /// Unhealthy when the app's configuration is refused (secret, client id, whitelist), Degraded when the auth
    /// server cannot be reached. Map it with <c>app.MapHealthChecks("/health")</c>.
    /// </summary>
    /// <param name="builder">From <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAuthClientCheck(this IHealthChecksBuilder builder, string name = "authclient")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<AuthClientHealthCheck>(name, tags: ["authclient"]);
    }

    private static IServiceCollection AddAuthClientCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(AuthClientEndpointInfo)))
        {
            return services;
        }

        services.AddAuthClientServices();
        services.AddAuthentication()
            .AddScheme<AuthClientAuthenticationOptions, AuthClientAuthenticationHandler>(AuthClientDefaults.AuthenticationScheme, AuthClientDefaults.DisplayName, null);
        // The shortcut's promise: [Authorize] works with no more code. An app that chose another default keeps it.
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

    private static void AddAuthClientServices(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(AuthClientEndpointInfo)))
        {
            return;
        }

        // The library logs its own calls (Debug, failures as Warning); IHttpClientFactory's four Information
        // lines per call would drown the app's log.
        services.AddHttpClient(AuthClient.HttpClientName).RemoveAllLoggers();
        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AuthClientEndpointInfo>();
        services.AddSingleton(provider => new AuthClient(
            provider.GetRequiredService<IOptions<AuthClientOptions>>().Value,
            provider.GetRequiredService<IHttpClientFactory>(),
            provider.GetRequiredService<IMemoryCache>(),
            provider.GetRequiredService<ILogger<AuthClient>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AuthClientHealthCheck>();
        // Fail fast: a configuration error stops the app at start, not at the first sign-in.
        services.AddHostedService<StartupCheck>();
    }

    /// <summary>
    /// At start: the options are valid (else the app does not start), the callback URL's path is one
    /// <c>MapAuthClient</c> mapped (else the app does not start: sign-ins would end on a 404), then, in the
    /// background, <see cref="AuthClient.CheckConfigurationAsync"/> logs what the server says.
    /// </summary>
    private sealed class StartupCheck(IServiceProvider services, IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var client = services.GetRequiredService<AuthClient>();
            var mapped = services.GetRequiredService<AuthClientEndpointInfo>().CallbackPaths;
            if (client.CallbackPathProblem([.. mapped]) is { } problem)
            {
                services.GetRequiredService<ILogger<AuthClient>>().LogError("AuthClient: fix {Setting}: {Problem}", problem.Setting, problem.Message);
                throw new AuthException(problem.Error, problem.Message);
            }

            if (client.Options.CheckOnStart)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await client.CheckConfigurationAsync(lifetime.ApplicationStopping);
                    }
                    catch (OperationCanceledException)
                    {
                        // The app stopped first.
                    }
                }, CancellationToken.None);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The health check of <see cref="AuthClientServiceCollectionExtensions.AddAuthClientCheck"/>.</summary>
/// <param name="client">The app's client.</param>
public sealed class AuthClientHealthCheck(AuthClient client) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = await client.CheckConfigurationAsync(cancellationToken);
        if (problems.Count == 0)
        {
            return HealthCheckResult.Healthy("The auth server is reachable and accepts the app's configuration.");
        }

        var data = problems.ToDictionary(p => p.Setting, p => (object)p.Error.ToWireCode());
        var description = string.Join(" ", problems.Select(p => p.Message));
        var unreachable = problems.All(p => p.Error is AuthErrorCode.NetworkError or AuthErrorCode.Timeout or AuthErrorCode.ServiceUnavailable or AuthErrorCode.TooManyRequests);
        return new HealthCheckResult(unreachable ? HealthStatus.Degraded : HealthStatus.Unhealthy, description, data: data);
    }
}
