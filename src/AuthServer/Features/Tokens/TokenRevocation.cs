using AuthServer.Data;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Tokens;

/// <summary>
/// Revokes a stateless token by its `jti`: a row in `revoked_tokens` kept until the token's own expiry (which
/// every instance reads within <see cref="TokenOptions.RevocationSyncInterval"/>), and this instance's cache
/// at once.
/// </summary>
public sealed class TokenRevocation(AuthDbContext db, RevokedTokenCache cache)
{
    public async Task RevokeAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO revoked_tokens ("Jti", "ExpiresAt") VALUES ({jti}, {expiresAt}) ON CONFLICT ("Jti") DO NOTHING""",
            cancellationToken);
        cache.Add(jti, expiresAt);
    }
}
