using AuthServer.Data.Entities;

namespace AuthServer.Features.Webhooks;

/// <summary>POST (url and eventTypes required) and PATCH (absent fields stay as they are) of a webhook endpoint.</summary>
public sealed class WebhookEndpointRequest
{
    public string? Url { get; init; }
    public string? Description { get; init; }
    public List<string>? EventTypes { get; init; }
    public bool? Enabled { get; init; }
}

public sealed record WebhookEndpointView(
    Guid Id, Guid OrganizationId, string Url, string? Description, IReadOnlyList<string> EventTypes, bool Enabled,
    string? DisabledReason, int ConsecutiveFailures, DateTimeOffset Created, DateTimeOffset Updated)
{
    public static WebhookEndpointView From(WebhookEndpoint e) => new(
        e.Id, e.OrganizationId, e.Url, e.Description, e.EventTypes, e.Enabled, e.DisabledReason, e.ConsecutiveFailures, e.Created, e.Updated);
}

/// <summary>A new endpoint, or a rotated secret: the signing secret (<c>whsec_…</c>) is in clear this once.</summary>
public sealed record WebhookSecretView(WebhookEndpointView Endpoint, string Secret);

public sealed record WebhookDeliveryView(
    Guid Id, string MessageId, Guid EndpointId, string EventType, string Status, int Attempts, DateTimeOffset Created,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, int? LastDurationMs, string? LastError,
    DateTimeOffset? DeliveredAt)
{
    public static WebhookDeliveryView From(WebhookDelivery d) => new(
        d.Id, d.MessageId, d.EndpointId, d.EventType, d.Status, d.Attempts, d.Created,
        d.Status == WebhookEvents.Pending ? d.NextAttemptAt : null, d.LastAttemptAt, d.LastStatusCode, d.LastDurationMs, d.LastError, d.DeliveredAt);
}

/// <summary>One try of a delivery: its outcome, the receiver's answer code (none when it could not be reached), and its duration.</summary>
public sealed record WebhookAttemptView(DateTimeOffset AttemptedAt, bool Succeeded, int? StatusCode, int DurationMs, string? Error)
{
    public static WebhookAttemptView From(WebhookAttempt a) => new(a.AttemptedAt, a.Succeeded, a.StatusCode, a.DurationMs, a.Error);
}
