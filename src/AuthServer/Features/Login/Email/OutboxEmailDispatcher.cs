using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Hosting;
using AuthServer.Hosting.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Email;

/// <summary>
/// Sends the queued emails of <see cref="EmailOutbox"/>, on every instance. Each sender takes one due row
/// with <c>FOR UPDATE SKIP LOCKED</c> and keeps it locked in its transaction while the transport sends, so
/// instances share the queue and no row is sent by two of them. The outcome is committed with the row:
/// sent (content erased), or retried later with exponential backoff, or given up after
/// <see cref="EmailOptions.MaxAttempts"/> or once the code or link in it has expired. If an instance dies
/// mid-send its lock goes with its connection and another instance retries the row: an email may then
/// arrive twice, never not at all.
/// </summary>
public sealed class OutboxEmailDispatcher(
    IServiceScopeFactory scopes,
    IEmailSender transport,
    OutboxContentProtector protector,
    OutboxSignal signal,
    ServerStartup startup,
    IOptions<EmailOptions> options,
    TimeProvider clock,
    ILogger<OutboxEmailDispatcher> logger) : BackgroundService
{
    private const int MaxErrorLength = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var senders = Math.Min(options.Value.Senders, 32);
        if (senders <= 0)
        {
            logger.LogInformation("This instance queues emails but does not send them (Email:Senders is 0); another instance must");
            return;
        }

        // When the database came late, its queue table exists only once start-up has run the migrations.
        await startup.WhenReady.WaitAsync(stoppingToken);
        logger.LogInformation("Sending queued emails through {Transport}", transport.Description);
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(() => RunSenderAsync(stoppingToken), CancellationToken.None)));
    }

    private async Task RunSenderAsync(CancellationToken stoppingToken)
    {
        var databaseDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before looking, so an email committed meanwhile still wakes this sender.
            var wake = signal.NextNotification;
            TimeSpan? wait;
            try
            {
                wait = await SendNextAsync(stoppingToken);
                databaseDown = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception))
            {
                if (!databaseDown)
                {
                    logger.LogWarning("Email queue paused: the database is unreachable ({Reason})", exception.GetBaseException().Message);
                    AuthMetrics.DatabaseWasUnavailable("email");
                }

                databaseDown = true;
                wait = options.Value.PollInterval;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Email sender failed; retrying after the poll interval");
                wait = options.Value.PollInterval;
            }

            if (wait is { } delay)
            {
                try
                {
                    await wake.WaitAsync(delay, clock, stoppingToken);
                }
                catch (TimeoutException)
                {
                    // Poll again.
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends one due email; returns null when one was handled, otherwise how long to wait (bounded by the poll interval).</summary>
    public async Task<TimeSpan?> SendNextAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var email = (await db.OutboxEmails.FromSql(
                $"SELECT * FROM email_outbox WHERE \"Status\" = 'pending' AND \"NextAttemptAt\" <= {now} ORDER BY \"NextAttemptAt\" LIMIT 1 FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (email is null)
        {
            var nextDue = await db.OutboxEmails.Where(e => e.Status == EmailOutbox.Statuses.Pending)
                .MinAsync(e => (DateTimeOffset?)e.NextAttemptAt, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var untilDue = nextDue is { } due ? due - now : settings.PollInterval;
            return untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < settings.PollInterval ? untilDue : settings.PollInterval;
        }

        if (now >= email.ExpiresAt)
        {
            GiveUp(email, EmailOutbox.Statuses.Expired);
            AuthMetrics.EmailFailed(email.Kind, "expired");
            logger.LogWarning("Email {EmailId} ({Kind}) of organization {OrganizationId} expired unsent after {Attempts} attempts",
                email.Id, email.Kind, email.OrganizationId, email.Attempts);
        }
        else
        {
            await SendAsync(email, cancellationToken);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return null;
    }

    private async Task SendAsync(OutboxEmail email, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        email.Attempts++;
        email.LastAttemptAt = clock.GetUtcNow();
        EmailMessage message;
        try
        {
            message = protector.Unprotect(email.ProtectedContent ?? throw new InvalidDataException("The queued email has no content."));
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or InvalidDataException or System.Text.Json.JsonException)
        {
            // Only a lost or foreign Data Protection key ring gets here; retrying cannot help.
            email.LastError = Truncate("The queued content cannot be decrypted: " + exception.Message);
            GiveUp(email, EmailOutbox.Statuses.Failed);
            logger.LogError("Email {EmailId} of organization {OrganizationId} dropped: its content cannot be decrypted", email.Id, email.OrganizationId);
            return;
        }

        try
        {
            await transport.SendAsync(message, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            email.LastError = Truncate($"{exception.GetType().Name}: {exception.Message}");
            AuthMetrics.EmailFailed(email.Kind, email.Attempts >= settings.MaxAttempts ? "failed" : "retry");
            if (email.Attempts >= settings.MaxAttempts)
            {
                GiveUp(email, EmailOutbox.Statuses.Failed);
                logger.LogError("Email {EmailId} ({Kind}) of organization {OrganizationId} failed for good after {Attempts} attempts: {Reason}",
                    email.Id, email.Kind, email.OrganizationId, email.Attempts, email.LastError);
            }
            else
            {
                email.NextAttemptAt = clock.GetUtcNow() + Backoff(email.Attempts, settings);
                logger.LogWarning("Email {EmailId} ({Kind}) of organization {OrganizationId} not sent (attempt {Attempts} of {MaxAttempts}); retrying at {NextAttemptAt:O}: {Reason}",
                    email.Id, email.Kind, email.OrganizationId, email.Attempts, settings.MaxAttempts, email.NextAttemptAt, email.LastError);
            }

            return;
        }

        email.Status = EmailOutbox.Statuses.Sent;
        AuthMetrics.EmailSent(email.Kind);
        email.SentAt = clock.GetUtcNow();
        email.ProtectedContent = null;
        email.LastError = null;
        logger.LogInformation("Sent email {EmailId} ({Kind}) of organization {OrganizationId}", email.Id, email.Kind, email.OrganizationId);
    }

    /// <summary>RetryDelay, doubled for every further failure, at most MaxRetryDelay.</summary>
    public static TimeSpan Backoff(int attempts, EmailOptions settings)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var delay = TimeSpan.FromMilliseconds(Math.Min(settings.RetryDelay.TotalMilliseconds * factor, settings.MaxRetryDelay.TotalMilliseconds));
        return delay;
    }

    private static void GiveUp(OutboxEmail email, string status)
    {
        email.Status = status;
        email.ProtectedContent = null;
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
