using AuthServer.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Hosting.Telemetry;

/// <summary>
/// The active-sessions gauge: a scrape reads the last count; a background loop refreshes it every
/// <see cref="RefreshInterval"/>, and only while somebody is reading (a scrape, an exporter), so a server
/// without telemetry never runs the count. One indexed count per interval per instance, never one per scrape.
/// </summary>
public sealed class ActiveSessionsGauge(IServiceScopeFactory scopes, ServerStartup startup, TimeProvider clock, ILogger<ActiveSessionsGauge> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private long? count;
    private long lastRead = long.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        AuthMetrics.ObserveActiveSessions(Read);
        await startup.WhenReady.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        var lastRefresh = DateTimeOffset.MinValue;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = clock.GetUtcNow();
            var wanted = Interlocked.Read(ref lastRead) > now.Add(-RefreshInterval * 2).UtcTicks;
            if (!wanted || (count is not null && now - lastRefresh < RefreshInterval))
            {
                continue;
            }

            try
            {
                count = await CountAsync(now, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(exception, "Could not count the active sessions");
            }

            lastRefresh = now;
        }
    }

    private long? Read()
    {
        Interlocked.Exchange(ref lastRead, clock.GetUtcNow().UtcTicks);
        return count;
    }

    /// <summary>Sessions not ended, within their organization's maximum session time and inactivity time.</summary>
    public async Task<long> CountAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        return await db.Database.SqlQuery<long>($"""
            SELECT count(*) AS "Value" FROM sessions s JOIN organizations o ON o."Id" = s."OrganizationId"
            WHERE s."EndedAt" IS NULL
              AND s."Created" > {now} - make_interval(secs => o."Settings_MaxSessionTime")
              AND s."LastActivity" > {now} - make_interval(secs => o."Settings_MaxInactivityTime")
            """).SingleAsync(cancellationToken);
    }
}
