using AuthServer.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AuthServer.Hosting;

public static class HealthSetup
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddAuthHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownDrain>());
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<ShutdownDrain>("accepting", tags: [ReadyTag])
            .AddCheck<ServerStartup>("started", tags: [ReadyTag]);
        services.AddOptions<HostOptions>().Configure<Microsoft.Extensions.Options.IOptions<ServerOptions>>((host, server) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(server.Value.ShutdownDrainSeconds + server.Value.ShutdownTimeoutSeconds));
        return services;
    }

    /// <summary>/health/live: the process answers. /health/ready: it can serve, its database included.</summary>
    public static IEndpointRouteBuilder MapAuthHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        });
    }

    private sealed class DatabaseHealthCheck(AuthDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                // A query, not only an open: a pooled connection opens without asking the server, so a hung
                // database would look healthy. The connection string's short command timeout bounds the probe.
                await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("The database is not reachable.");
            }
        }
    }
}
