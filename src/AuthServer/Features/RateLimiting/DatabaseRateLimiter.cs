using AuthServer.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.RateLimiting;

/// <summary>One limit to count: at most <see cref="Limit"/> hits on <see cref="Key"/> per window.</summary>
public readonly record struct RateLimit(string Key, int Limit);

/// <summary>
/// Fixed-window limits counted in PostgreSQL with one atomic upsert, so "5 per window" is 5 in total
/// across every server instance, not 5 per instance.
/// </summary>
public sealed class DatabaseRateLimiter(AuthDbContext db, TimeProvider clock)
{
    /// <summary>Counts one hit on <paramref name="key"/>; returns the seconds to wait when over the limit, else null.</summary>
    public Task<int?> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken) =>
        HitAsync([new RateLimit(key, limit)], window, cancellationToken);

    /// <summary>
    /// Counts one hit on each limit in a single statement (one round trip and one commit, however many
    /// limits a request is under); returns the seconds to wait when any of them is over, else null.
    /// </summary>
    public async Task<int?> HitAsync(IReadOnlyList<RateLimit> limits, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var windowTicks = window.Ticks;
        var windowStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % windowTicks), TimeSpan.Zero);
        // Rows are always upserted in key order, so two requests counting the same keys cannot deadlock.
        var keys = limits.Select(l => l.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        var counts = await db.Database.SqlQuery<CounterValue>($"""
            INSERT INTO rate_limit_counters ("Key", "WindowStart", "Count")
            SELECT k, {windowStart}, 1 FROM unnest({keys}) WITH ORDINALITY AS u(k, n) ORDER BY n
            ON CONFLICT ("Key", "WindowStart") DO UPDATE SET "Count" = rate_limit_counters."Count" + 1
            RETURNING "Key", "Count"
            """).ToListAsync(cancellationToken);

        var over = false;
        foreach (var limit in limits.Where(l => counts.Any(c => c.Key == l.Key && c.Count > l.Limit)))
        {
            over = true;
            Hosting.Telemetry.AuthMetrics.RateLimitHit(limit.Key);
        }

        return over ? (int)Math.Ceiling((windowStart + window - now).TotalSeconds) : null;
    }

    private sealed class CounterValue
    {
        public required string Key { get; init; }
        public int Count { get; init; }
    }
}
