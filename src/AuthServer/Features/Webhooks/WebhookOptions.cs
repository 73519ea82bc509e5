namespace AuthServer.Features.Webhooks;

/// <summary>Section "Webhooks": delivery of the organizations' webhook endpoints.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Allow endpoints on loopback, private, link-local and other non-public addresses. Off by default: an
    /// admin could otherwise make the server call its own network (SSRF). Checked at connect time on the
    /// resolved address, so a public name that resolves to a private address is refused too.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Tries per delivery (the first included). With the defaults the last one is about a day after the event.</summary>
    public int MaxAttempts { get; set; } = 13;

    /// <summary>Wait before the first retry; it doubles with every further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Time for one request: connect, send, and the receiver's answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of the receiver's answer read at most (the rest is not read).</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>Deliveries that fail for good in a row before the endpoint is disabled (and the disabling audited).</summary>
    public int DisableAfterFailures { get; set; } = 5;

    /// <summary>How often an idle dispatcher looks for due deliveries (events queued on this instance wake it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deliveries one instance sends at the same time (each holds a database connection while sending). 0: this instance only queues.</summary>
    public int Senders { get; set; } = 2;
}
