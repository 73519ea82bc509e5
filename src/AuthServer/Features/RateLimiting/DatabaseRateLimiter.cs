using AuthServer.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.RateLimiting;

/// <summary>
/// Fixed-window limits counted in PostgreSQL with one atomic upsert, so "5 per window" is 5 in total
/// across every server instance, not 5 per instance.
/// </summary>
public sealed class DatabaseRateLimiter(AuthDbContext db, TimeProvider clock)
{
    /// <summary>Counts one hit on <paramref name="key"/>; returns the seconds to wait when over the limit, else null.</summary>
    public async Task<int?> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var windowTicks = window.Ticks;
        var windowStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % windowTicks), TimeSpan.Zero);

        var count = await db.Database.SqlQuery<int>($"""
            INSERT INTO rate_limit_counters ("Key", "WindowStart", "Count") VALUES ({key}, {windowStart}, 1)
            ON CONFLICT ("Key", "WindowStart") DO UPDATE SET "Count" = rate_limit_counters."Count" + 1
            RETURNING "Count" AS "Value"
            """).ToListAsync(cancellationToken);

        if (count[0] <= limit)
        {
            return null;
        }

        return (int)Math.Ceiling((windowStart + window - now).TotalSeconds);
    }
}
