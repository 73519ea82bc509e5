using System.Collections.Concurrent;

namespace AuthServer.Features.Tokens;

/// <summary>
/// The revoked `jti`s that have not expired yet, in memory on every instance: checking an access token costs a
/// dictionary lookup, never a database round trip. Filled from the `revoked_tokens` table at start, kept
/// current by <see cref="RevokedTokenSync"/>, and written at once by <see cref="TokenRevocation"/> for
/// revocations this instance received.
/// </summary>
public sealed class RevokedTokenCache(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> revoked = new(StringComparer.Ordinal);

    /// <summary>The newest revocation time read from the database (database clock); the next read starts a little before it.</summary>
    public DateTimeOffset? Watermark { get; set; }

    public int Count => revoked.Count;

    public bool IsRevoked(string? jti) => jti is not null && !revoked.IsEmpty && revoked.ContainsKey(jti);

    public void Add(string jti, DateTimeOffset expiresAt) => revoked[jti] = expiresAt;

    /// <summary>An expired token is refused for its expiry anyway: its entry is no longer needed.</summary>
    public void RemoveExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (jti, expiresAt) in revoked)
        {
            if (expiresAt <= now)
            {
                revoked.TryRemove(jti, out _);
            }
        }
    }
}
