namespace AuthServer.Data.Entities;

/// <summary>
/// An organization's receiver of events: a URL, the event types it subscribed to, and the secret that signs
/// every delivery (Standard Webhooks, <c>whsec_</c> + base64), encrypted at rest and shown in clear only
/// when created or rotated. Disabled by hand, or by the dispatcher after too many failed deliveries in a row.
/// </summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }

    /// <summary>Event types this endpoint receives, e.g. <c>user.created</c>.</summary>
    public List<string> EventTypes { get; set; } = [];

    /// <summary>The signing secret protected with Data Protection.</summary>
    public required string ProtectedSecret { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Why the dispatcher disabled it (null when enabled or disabled by an admin).</summary>
    public string? DisabledReason { get; set; }

    /// <summary>Deliveries that failed for good in a row; reset by any success.</summary>
    public int ConsecutiveFailures { get; set; }

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}
