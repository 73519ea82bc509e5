using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Tokens;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Hosting;

/// <summary>
/// On every instance: reloads the key ring every <see cref="TokenOptions.KeyRingRefreshInterval"/> (one small
/// query), so a rotation made anywhere is published here, and a next key takes over here, within that interval.
/// When the keys changed, the cached discovery answers (JWKS) are dropped. With
/// <see cref="TokenOptions.AutomaticRotationInterval"/> set, it also rotates once the current signing key is that
/// old; instances racing to do so make one rotation (<see cref="ServerKeyRing.RotateAsync"/>).
/// </summary>
public sealed class KeyRingRefresher(IServiceScopeFactory scopes, ServerKeyRing keyRing, IOutputCacheStore outputCache, IOptions<TokenOptions> options,
    TimeProvider clock, ILogger<KeyRingRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyRingRefreshInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception))
            {
                logger.LogWarning("Key ring not refreshed: the database is unreachable");
            }
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (keyRing.SigningKey is null)
        {
            // Start-up has not loaded (or created) the keys yet.
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        if (options.Value.AutomaticRotationInterval is { } interval && await DueForRotationAsync(db, interval, cancellationToken))
        {
            await keyRing.RotateAsync(db, cancellationToken);
        }

        if (await keyRing.ReloadAsync(db, cancellationToken))
        {
            await outputCache.EvictByTagAsync(DiscoveryCache.Tag, cancellationToken);
        }
    }

    /// <summary>The newest key (signing, or token encryption when signing uses a certificate) took over longer ago than the interval.</summary>
    private async Task<bool> DueForRotationAsync(AuthDbContext db, TimeSpan interval, CancellationToken cancellationToken)
    {
        var use = keyRing.SigningFromCertificate ? ServerKeyRing.TokenEncryptionUse : ServerKeyRing.SigningUse;
        var newest = await db.ServerKeys.AsNoTracking().Where(k => k.Use == use).MaxAsync(k => (DateTimeOffset?)k.ActivatesAt, cancellationToken);
        return newest is { } activatesAt && clock.GetUtcNow() - activatesAt >= interval;
    }
}

/// <summary>Rotation on demand (admin API, command line): the next keys, then the discovery cache dropped on this instance.</summary>
public sealed class KeyRotationService(AuthDbContext db, ServerKeyRing keyRing, IOutputCacheStore outputCache)
{
    public async Task<KeyRotation> RotateAsync(CancellationToken cancellationToken)
    {
        var rotation = await keyRing.RotateAsync(db, cancellationToken);
        await outputCache.EvictByTagAsync(DiscoveryCache.Tag, cancellationToken);
        return rotation;
    }
}
