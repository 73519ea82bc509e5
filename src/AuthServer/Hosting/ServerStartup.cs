using AuthServer.Errors;
using AuthServer.Features.Tokens;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthServer.Hosting;

/// <summary>
/// What happens before the server may serve: the database reached and migrated, the keys loaded, the demo
/// organization seeded, the revoked tokens loaded. When the database answers at once (the usual start) this runs before Kestrel listens.
/// When it does not, the server listens anyway, so an orchestrator sees it alive (/health/live 200) and not
/// ready (/health/ready 503) instead of killing it; every other request is answered 503 serviceUnavailable
/// until start-up completes in the background. If the wait (Server:DatabaseStartupTimeoutSeconds) runs out,
/// the reason is logged on one line and the process exits with <see cref="DatabaseUnreachableExitCode"/>.
/// Background work that reads the tables waits for <see cref="WhenReady"/>: before it, the schema may not be
/// migrated yet (a query there fails with "relation does not exist", which is no outage to wait out).
/// </summary>
public sealed class ServerStartup(
    DatabaseInitializer initializer,
    DemoOrganizationSeeder seeder,
    Features.AdminConsole.SystemOrganization systemOrganization,
    RevokedTokenSync revokedTokens,
    IOptions<ServerOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ServerStartup> logger) : IHealthCheck
{
    /// <summary>Exit code when the database stayed unreachable for the whole start-up wait.</summary>
    public const int DatabaseUnreachableExitCode = 3;

    /// <summary>Exit code when start-up failed for another reason (configuration).</summary>
    public const int StartupFailedExitCode = 1;

    private readonly TaskCompletionSource readySignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => readySignal.Task.IsCompleted;

    /// <summary>Completes once start-up has completed; never when it failed (the host then stops).</summary>
    public Task WhenReady => readySignal.Task;

    /// <summary>0 while running; the process's exit code once start-up failed.</summary>
    public int ExitCode { get; private set; }

    /// <summary>
    /// Called before the server listens. True: go on and listen (start-up is done, or continues in the
    /// background). False: start-up failed; <see cref="ExitCode"/> says how.
    /// </summary>
    public async Task<bool> PrepareAsync(CancellationToken cancellationToken)
    {
        if (await initializer.TryConnectAsync(cancellationToken) is not { } reason)
        {
            return await CompleteAsync(cancellationToken);
        }

        logger.LogWarning("The database is not reachable ({Reason}); listening now, ready once it is (waiting up to {Seconds} s)",
            reason, options.Value.DatabaseStartupTimeoutSeconds);
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            if (!await CompleteAsync(lifetime.ApplicationStopping))
            {
                lifetime.StopApplication();
            }
        }));
        return true;
    }

    private async Task<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await initializer.InitializeAsync(options.Value.ApplyMigrationsAtStartup, cancellationToken);
            await systemOrganization.EnsureAsync(cancellationToken);
            await seeder.SeedAsync(cancellationToken);
            // Before the first request passes the gate, so no revoked access token is taken for a live one.
            await revokedTokens.SyncAsync(cancellationToken);
            readySignal.TrySetResult();
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ExitCode = StartupFailedExitCode;
            return false;
        }
        catch (DatabaseUnreachableException exception)
        {
            logger.LogCritical("Start-up failed: {Reason}", exception.Message);
            ExitCode = DatabaseUnreachableExitCode;
            return false;
        }
        catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception))
        {
            logger.LogCritical("Start-up failed: the database went away during start-up ({Reason})", exception.GetBaseException().Message);
            ExitCode = DatabaseUnreachableExitCode;
            return false;
        }
        catch (InvalidOperationException exception)
        {
            // Configuration problems (a missing certificate file, no connection string) explain themselves.
            logger.LogCritical("Start-up failed: {Reason}", exception.Message);
            ExitCode = StartupFailedExitCode;
            return false;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Start-up has not completed: waiting for the database."));
}

/// <summary>
/// Until start-up completes, every request except the health probes is answered 503 serviceUnavailable
/// (the error middleware, outside this one, shapes it for the caller: JSON, RFC 6749 or a page).
/// </summary>
public sealed class StartupGateFilter(ServerStartup startup) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (startup.IsReady || context.Request.Path.StartsWithSegments("/health"))
            {
                return nextMiddleware(context);
            }

            throw new AuthErrorException(AuthError.ServiceUnavailable() with { Message = "The server is starting and waits for its database. Try again shortly." });
        });
        next(app);
    };
}

public static class ServerStartupSetup
{
    /// <summary>Registered after the error middleware's filter, so the gate's 503 is shaped like every other error.</summary>
    public static IServiceCollection AddServerStartup(this IServiceCollection services)
    {
        services.AddSingleton<ServerStartup>();
        services.AddTransient<IStartupFilter, StartupGateFilter>();
        // Data Protection logs a failed read of its key ring (in the database) with the whole stack trace: at host
        // start when the database is away, and again in every request of an outage. Such a request fails anyway,
        // and the error middleware logs it once (a warning line for an outage, the exception for anything else).
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.KeyRingProvider", LogLevel.Critical));
        return services;
    }
}
