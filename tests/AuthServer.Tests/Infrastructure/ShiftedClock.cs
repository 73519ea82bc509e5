namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// A test clock: real time plus an offset the test moves forward, so a test can step into the next rate-limit
/// window or past an expiry without waiting, while everything still sees time pass.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
