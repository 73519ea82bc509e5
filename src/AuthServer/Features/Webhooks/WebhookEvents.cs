using System.Text.Json;
using AuthServer.Data;
using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Webhooks;

/// <summary>
/// Writes events into the webhook outbox (<c>webhook_deliveries</c>) as part of the caller's unit of work: one
/// row per subscribed endpoint, all with one message id, saved by the caller's <c>SaveChanges</c> in the same
/// transaction as the change they report. An organization without subscribed endpoints costs a cache lookup.
/// <see cref="WebhookDispatcher"/> sends them.
/// </summary>
public sealed class WebhookEvents(WebhookSubscriptions subscriptions, TimeProvider clock)
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds the event for every enabled endpoint of the organization subscribed to <paramref name="type"/>; the caller saves.</summary>
    public async ValueTask AddAsync(AuthDbContext db, Guid organizationId, string type, object data, CancellationToken cancellationToken)
    {
        var endpoints = await subscriptions.ForAsync(organizationId, cancellationToken);
        if (!endpoints.Any(e => e.EventTypes.Contains(type)))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var payload = JsonSerializer.Serialize(new { type, timestamp = now, data }, Json);
        var messageId = NewMessageId();
        foreach (var endpoint in endpoints.Where(e => e.EventTypes.Contains(type)))
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(),
                MessageId = messageId,
                EndpointId = endpoint.EndpointId,
                OrganizationId = organizationId,
                EventType = type,
                Payload = payload,
                Status = Pending,
                Created = now,
                NextAttemptAt = now,
            });
        }
    }

    /// <summary>
    /// Ends a session and queues its <c>session.ended</c> event in one statement (one round trip, atomic): the
    /// session is ended by a bulk UPDATE that tracks nothing, and its organization is only known from the row.
    /// Returns whether this call ended it (an ended session stays as it was and sends nothing).
    /// </summary>
    public async Task EndSessionAsync(AuthDbContext db, Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var messageId = NewMessageId();
        const string type = WebhookEventTypes.SessionEnded;
        await db.Database.ExecuteSqlAsync($"""
            WITH ended AS (
                UPDATE sessions SET "EndedAt" = {now}, "EndReason" = {reason}
                WHERE "Id" = {sessionId} AND "EndedAt" IS NULL
                RETURNING "Id", "OrganizationId", "UserId")
            INSERT INTO webhook_deliveries ("Id", "MessageId", "EndpointId", "OrganizationId", "EventType", "Payload", "Status", "Attempts", "Created", "NextAttemptAt")
            SELECT gen_random_uuid(), {messageId}, e."Id", ended."OrganizationId", {type},
                   json_build_object('type', {type}::text, 'timestamp', {timestamp}::text,
                       'data', json_build_object('sessionId', ended."Id", 'userId', ended."UserId", 'organizationId', ended."OrganizationId", 'reason', {reason}::text))::text,
                   {Pending}, 0, {now}, {now}
            FROM ended JOIN webhook_endpoints e
              ON e."OrganizationId" = ended."OrganizationId" AND e."Enabled" AND {type}::text = ANY(e."EventTypes")
            """, cancellationToken);
    }

    /// <summary>The Standard Webhooks <c>webhook-id</c>: stable across attempts, so a receiver can drop a repeat.</summary>
    public static string NewMessageId() => "msg_" + Guid.CreateVersion7().ToString("N");
}

/// <summary>The <c>data</c> of user events.</summary>
public sealed record WebhookUser(Guid Id, Guid OrganizationId, string Email, bool Verified, bool Blocked, DateTimeOffset Created, DateTimeOffset Updated)
{
    public static WebhookUser From(User u) => new(u.Id, u.OrganizationId, u.Email, u.Verified, u.Blocked, u.Created, u.Updated);
}
