namespace AuthServer.Features.Login.Email;

/// <summary>Section "Email": SMTP when a host is set; otherwise emails go to the log and an outbox folder. Either way they are queued in the database first (<see cref="EmailOutbox"/>).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public string From { get; set; } = "AuthServer <no-reply@localhost>";

    /// <summary>Where emails are written when no SMTP host is configured (development).</summary>
    public string OutboxPath { get; set; } = Path.Combine(".data", "outbox");

    /// <summary>
    /// Allow the outbox delivery outside Development. Off by default: it writes sign-in codes to the log,
    /// which a production server must not do.
    /// </summary>
    public bool AllowOutbox { get; set; }

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>Tries per email before it is marked failed (the first send included).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the first retry; it doubles with every further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often an idle sender looks at the queue. Emails queued on this instance wake it at once; this
    /// bounds the delay for emails another instance queued while its own senders are busy or stopping.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Emails one instance sends at the same time (each holds a database connection while sending). 0: this
    /// instance only queues; another instance sends.
    /// </summary>
    public int Senders { get; set; } = 2;

    public sealed class SmtpSettings
    {
        public string? Host { get; set; }
        public int Port { get; set; } = 587;
        public string? Username { get; set; }
        public string? Password { get; set; }

        /// <summary>"auto" (STARTTLS when offered), "starttls", "ssl" or "none".</summary>
        public string Security { get; set; } = "auto";

        /// <summary>Time to open the connection (TCP, TLS, greeting, authentication).</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Time to hand over one message once connected.</summary>
        public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
    }
}
