using System.Diagnostics;
using System.Text;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Hosting;
using AuthServer.Hosting.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Webhooks;

/// <summary>
/// Sends the webhook outbox, on every instance, like the email queue (<c>OutboxEmailDispatcher</c>): each sender
/// takes one due delivery with <c>FOR UPDATE SKIP LOCKED</c> and keeps it locked while the request runs, so
/// instances share the work and no delivery is sent by two of them at once; the outcome is committed with the
/// row. At least once: if the instance dies after the receiver answered but before the commit, another instance
/// sends it again with the same <c>webhook-id</c>. Failures retry with exponential backoff (about a day with the
/// defaults); a delivery that exhausts its attempts on an endpoint that has not succeeded since disables it.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    WebhookSigner signer,
    WebhookSubscriptions subscriptions,
    ServerStartup startup,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int MaxErrorLength = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path at once: nothing below may hold up the other services or Kestrel.
        await Task.Yield();
        var senders = Math.Min(options.Value.Senders, 32);
        if (senders <= 0)
        {
            return;
        }

        await startup.WhenReady.WaitAsync(stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(() => RunSenderAsync(stoppingToken), CancellationToken.None)));
    }

    private async Task RunSenderAsync(CancellationToken stoppingToken)
    {
        var databaseDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
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
                    logger.LogWarning("Webhook deliveries paused: the database is unreachable ({Reason})", exception.GetBaseException().Message);
                    AuthMetrics.DatabaseWasUnavailable("webhooks");
                }

                databaseDown = true;
                wait = options.Value.PollInterval;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Webhook sender failed; retrying after the poll interval");
                wait = options.Value.PollInterval;
            }

            if (wait is { } delay)
            {
                try
                {
                    await Task.Delay(delay, clock, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends one due delivery; null when one was handled, otherwise how long to wait (at most the poll interval).</summary>
    public async Task<TimeSpan?> SendNextAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var delivery = (await db.WebhookDeliveries.FromSql(
                $"SELECT * FROM webhook_deliveries WHERE \"Status\" = 'pending' AND \"NextAttemptAt\" <= {now} ORDER BY \"NextAttemptAt\" LIMIT 1 FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (delivery is null)
        {
            var nextDue = await db.WebhookDeliveries.Where(d => d.Status == WebhookEvents.Pending).MinAsync(d => (DateTimeOffset?)d.NextAttemptAt, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var untilDue = nextDue is { } due ? due - now : settings.PollInterval;
            return untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < settings.PollInterval ? untilDue : settings.PollInterval;
        }

        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, cancellationToken);
        if (endpoint is null || !endpoint.Enabled)
        {
            delivery.Status = WebhookEvents.Failed;
            delivery.LastError = "The endpoint is disabled.";
            delivery.NextAttemptAt = now;
        }
        else
        {
            var attempt = await AttemptAsync(endpoint, delivery, cancellationToken);
            db.WebhookAttempts.Add(attempt);
            await RecordOutcomeAsync(db, endpoint, delivery, attempt, settings, cancellationToken);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return null;
    }

    private async Task<WebhookAttempt> AttemptAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var activity = AuthMetrics.ActivitySource.StartActivity("webhook deliver", ActivityKind.Producer);
        activity?.SetTag("webhook.event_type", delivery.EventType);
        activity?.SetTag("webhook.id", delivery.MessageId);
        var started = Stopwatch.GetTimestamp();
        var attempt = new WebhookAttempt { DeliveryId = delivery.Id, AttemptedAt = clock.GetUtcNow() };
        try
        {
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            var signature = WebhookSigner.Sign(signer.Unprotect(endpoint.ProtectedSecret), delivery.MessageId, timestamp, delivery.Payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.MessageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", signature);
            request.Headers.UserAgent.ParseAdd("AuthServer-Webhooks/1");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            using var response = await httpClients.CreateClient(WebhookHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            attempt.StatusCode = (int)response.StatusCode;
            // The answer is read up to the cap (its body is not kept): a receiver cannot make us read forever.
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[8192];
            var total = 0;
            int read;
            while (total < settings.MaxResponseBytes && (read = await body.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, settings.MaxResponseBytes - total)), timeout.Token)) > 0)
            {
                total += read;
            }

            attempt.Succeeded = response.IsSuccessStatusCode;
            attempt.Error = attempt.Succeeded ? null : $"The receiver answered {(int)response.StatusCode}.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            attempt.Error = $"No answer within {settings.Timeout.TotalSeconds:0.#} s.";
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not OutOfMemoryException)
        {
            attempt.Error = Truncate(FindRefusal(exception)?.Message ?? $"{exception.GetType().Name}: {exception.GetBaseException().Message}");
        }

        attempt.DurationMs = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        activity?.SetTag("http.response.status_code", attempt.StatusCode);
        activity?.SetStatus(attempt.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error, attempt.Error);
        return attempt;
    }

    private async Task RecordOutcomeAsync(AuthDbContext db, WebhookEndpoint endpoint, WebhookDelivery delivery, WebhookAttempt attempt, WebhookOptions settings, CancellationToken cancellationToken)
    {
        delivery.Attempts++;
        delivery.LastAttemptAt = attempt.AttemptedAt;
        delivery.LastStatusCode = attempt.StatusCode;
        delivery.LastDurationMs = attempt.DurationMs;
        delivery.LastError = attempt.Error;
        if (attempt.Succeeded)
        {
            delivery.Status = WebhookEvents.Succeeded;
            delivery.DeliveredAt = attempt.AttemptedAt;
            // Set, not incremented: any success means the endpoint works.
            await db.WebhookEndpoints.Where(e => e.Id == endpoint.Id && e.ConsecutiveFailures != 0)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.ConsecutiveFailures, 0), cancellationToken);
            AuthMetrics.WebhookAttempted(delivery.EventType, "succeeded");
            logger.LogInformation("Webhook {MessageId} ({EventType}) delivered to endpoint {EndpointId} on attempt {Attempts}: {StatusCode} in {DurationMs} ms",
                delivery.MessageId, delivery.EventType, endpoint.Id, delivery.Attempts, attempt.StatusCode, attempt.DurationMs);
            return;
        }

        // Incremented in the database, not from our copy: other senders fail on the same endpoint at the same time.
        var failures = await db.Database.SqlQuery<int>(
            $"UPDATE webhook_endpoints SET \"ConsecutiveFailures\" = \"ConsecutiveFailures\" + 1 WHERE \"Id\" = {endpoint.Id} RETURNING \"ConsecutiveFailures\" AS \"Value\"")
            .ToListAsync(cancellationToken);
        if (delivery.Attempts < settings.MaxAttempts)
        {
            delivery.NextAttemptAt = clock.GetUtcNow() + Backoff(delivery.Attempts, settings);
            AuthMetrics.WebhookAttempted(delivery.EventType, "retry");
            logger.LogWarning("Webhook {MessageId} ({EventType}) to endpoint {EndpointId} failed (attempt {Attempts} of {MaxAttempts}, {DurationMs} ms); retrying at {NextAttemptAt:O}: {Reason}",
                delivery.MessageId, delivery.EventType, endpoint.Id, delivery.Attempts, settings.MaxAttempts, attempt.DurationMs, delivery.NextAttemptAt, attempt.Error);
            return;
        }

        delivery.Status = WebhookEvents.Failed;
        AuthMetrics.WebhookAttempted(delivery.EventType, "failed");
        logger.LogError("Webhook {MessageId} ({EventType}) to endpoint {EndpointId} failed for good after {Attempts} attempts: {Reason}",
            delivery.MessageId, delivery.EventType, endpoint.Id, delivery.Attempts, attempt.Error);
        // Every attempt of this delivery failed, and nothing succeeded on the endpoint in between: it keeps failing.
        if (failures.SingleOrDefault() >= settings.MaxAttempts)
        {
            await DisableAsync(db, endpoint, $"Disabled after {failures.Single()} failed attempts in a row (last: {attempt.Error})", cancellationToken);
        }
    }

    private async Task DisableAsync(AuthDbContext db, WebhookEndpoint endpoint, string reason, CancellationToken cancellationToken)
    {
        endpoint.Enabled = false;
        endpoint.DisabledReason = Truncate(reason);
        endpoint.Updated = clock.GetUtcNow();
        // Its other pending deliveries stop with it; "send again" after re-enabling revives one.
        await db.WebhookDeliveries.Where(d => d.EndpointId == endpoint.Id && d.Status == WebhookEvents.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, WebhookEvents.Failed).SetProperty(d => d.LastError, "The endpoint was disabled."), cancellationToken);
        db.AuditLog.Add(new AuditLogEntry
        {
            ActorType = "system",
            ActorId = "webhooks",
            Action = "webhook.disable",
            TargetType = WebhookAdmin.AuditTarget,
            TargetId = endpoint.Id.ToString(),
            OrganizationId = endpoint.OrganizationId,
            Status = AuditTrail.Success,
            Created = clock.GetUtcNow(),
        });
        subscriptions.Invalidate(endpoint.OrganizationId);
        logger.LogError("Webhook endpoint {EndpointId} of organization {OrganizationId} disabled: {Reason}", endpoint.Id, endpoint.OrganizationId, endpoint.DisabledReason);
    }

    /// <summary>RetryDelay, doubled for every further failure, at most MaxRetryDelay.</summary>
    public static TimeSpan Backoff(int attempts, WebhookOptions settings)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(settings.RetryDelay.TotalMilliseconds * factor, settings.MaxRetryDelay.TotalMilliseconds));
    }

    private static WebhookTargetRefusedException? FindRefusal(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is WebhookTargetRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
