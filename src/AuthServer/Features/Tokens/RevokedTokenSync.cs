using AuthServer.Data;
using AuthServer.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Tokens;

/// <summary>
/// Keeps <see cref="RevokedTokenCache"/> in step with the `revoked_tokens` table on every instance: all live
/// rows at start (<see cref="Hosting.ServerStartup"/> calls <see cref="SyncAsync"/> before the server is ready,
/// which is after the migrations when the database came late), then every <see cref="TokenOptions.RevocationSyncInterval"/>
/// the rows revoked since the last read. One small indexed query per interval per instance, whatever the
/// traffic. A poll rather than LISTEN/NOTIFY: it also works through a transaction-pooling proxy (pgbouncer),
/// and it cannot miss a notification sent while its connection was down.
/// </summary>
public sealed class RevokedTokenSync(IServiceScopeFactory scopes, RevokedTokenCache cache, IOptions<TokenOptions> options, TimeProvider clock,
    ILogger<RevokedTokenSync> logger) : BackgroundService
{
    /// <summary>
    /// Rows are stamped with the inserting transaction's start time, so one may commit after a newer one was
    /// read; reading again from a little before the newest one seen catches it (re-reading a row is harmless).
    /// </summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationSyncInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (cache.Watermark is null)
            {
                // Start-up has not loaded them yet: the table may not even exist before its migrations ran.
                continue;
            }

            try
            {
                await SyncAsync(stoppingToken);
            }
            catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception))
            {
                logger.LogWarning("Revoked tokens not refreshed: the database is unreachable");
            }
        }
    }

    /// <summary>Reads the revocations newer than the last read (all live ones the first time).</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var now = clock.GetUtcNow();
        var since = cache.Watermark - Overlap ?? DateTimeOffset.MinValue;
        var rows = await db.RevokedTokens.AsNoTracking()
            .Where(t => t.RevokedAt > since && t.ExpiresAt > now)
            .Select(t => new { t.Jti, t.ExpiresAt, t.RevokedAt })
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            cache.Add(row.Jti, row.ExpiresAt);
            if (cache.Watermark is null || row.RevokedAt > cache.Watermark)
            {
                cache.Watermark = row.RevokedAt;
            }
        }

        cache.Watermark ??= DateTimeOffset.MinValue + Overlap;
        cache.RemoveExpired();
    }
}
