using AuthServer.Data;
using AuthServer.Errors;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Hosting;

/// <summary>
/// Deletes sign-in leftovers a day after they expired: authorization requests (with their login attempts),
/// spent or expired codes, passkey ceremonies, old rate-limit windows, the mail log's finished emails, revoked tokens past their expiry, and finished webhook deliveries a week old. Safe on several instances at once:
/// each delete is idempotent.
/// </summary>
public sealed class ExpiredDataCleanup(IServiceScopeFactory scopes, ServerStartup startup, TimeProvider clock, ILogger<ExpiredDataCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);
    private static readonly TimeSpan WebhookDeliveryRetention = TimeSpan.FromDays(7);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // When the database came late, its tables exist only once start-up has run the migrations.
        await startup.WhenReady.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CleanAsync(stoppingToken);
            }
            catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception))
            {
                logger.LogWarning("Cleanup skipped: the database is unreachable");
            }
        }
    }

    public async Task CleanAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        // Bulk deletes take longer than the request path's short command timeout.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(2));
        var before = clock.GetUtcNow() - Grace;
        var deliveredBefore = clock.GetUtcNow() - WebhookDeliveryRetention;
        var deleted = await db.AuthorizationCodes.Where(c => c.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken)
            + await db.LoginAttempts.Where(a => a.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken)
            + await db.AuthorizationRequests.Where(r => r.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken)
            + await db.PasskeyCeremonies.Where(c => c.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken)
            + await db.RateLimitCounters.Where(c => c.WindowStart < before).ExecuteDeleteAsync(cancellationToken)
            // The mail log keeps an email's row a day past its code's expiry; a pending one is the sender's to finish.
            + await db.OutboxEmails.Where(e => e.ExpiresAt < before && e.Status != Features.Login.Email.EmailOutbox.Statuses.Pending).ExecuteDeleteAsync(cancellationToken)
            + await db.RevokedTokens.Where(t => t.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken)
            // Finished webhook deliveries (and their attempts, by cascade) stay listed for a week.
            + await db.WebhookDeliveries.Where(d => d.Created < deliveredBefore && d.Status != Features.Webhooks.WebhookEvents.Pending)
                .ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} expired sign-in records", deleted);
        }
    }
}
