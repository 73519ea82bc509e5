namespace AuthServer.Data.Entities;

/// <summary>
/// The outbox of webhooks: one event for one endpoint, written in the transaction of the change it reports
/// and sent by a background dispatcher on any instance. <see cref="MessageId"/> is the Standard Webhooks
/// <c>webhook-id</c>: the same on every attempt (and for every endpoint the event went to), so receivers can
/// drop a repeat.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public required string MessageId { get; set; }
    public Guid EndpointId { get; set; }
    public Guid OrganizationId { get; set; }
    public required string EventType { get; set; }

    /// <summary>The exact JSON body sent (and signed).</summary>
    public required string Payload { get; set; }

    /// <summary><c>pending</c>, <c>succeeded</c> or <c>failed</c> (attempts exhausted, or its endpoint disabled).</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public int? LastDurationMs { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

/// <summary>One try of a delivery: when, how long, the receiver's answer code or the error.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public int DurationMs { get; set; }
    public bool Succeeded { get; set; }
    public string? Error { get; set; }
}
