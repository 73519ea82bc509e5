namespace AuthServer.Data.Entities;

/// <summary>
/// A fixed-window counter kept in PostgreSQL, so a limit of N per window holds across every server
/// instance. Incremented with one atomic upsert.
/// </summary>
public sealed class RateLimitCounter
{
    public required string Key { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public int Count { get; set; }
}
