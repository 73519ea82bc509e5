using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthServer.Hosting;

/// <summary>
/// Graceful stop behind a load balancer: on SIGTERM readiness turns unhealthy first, the server keeps
/// serving for <see cref="ServerOptions.ShutdownDrainSeconds"/> so the balancer stops sending new requests,
/// then Kestrel stops accepting and lets in-flight requests finish (HostOptions.ShutdownTimeout).
/// The delay runs in StoppingAsync, which the host calls before it stops any hosted service, the web
/// server included.
/// </summary>
public sealed class ShutdownDrain(IOptions<ServerOptions> options, ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool draining;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        draining = true;
        var delay = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds);
        if (delay > TimeSpan.Zero)
        {
            logger.LogInformation("Stopping: readiness is unhealthy; serving {Seconds} s more before closing", delay.TotalSeconds);
            await Task.Delay(delay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining ? HealthCheckResult.Unhealthy("The server is shutting down.") : HealthCheckResult.Healthy());
}
