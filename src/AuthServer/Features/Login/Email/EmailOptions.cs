namespace AuthServer.Features.Login.Email;

/// <summary>Section "Email": SMTP when a host is set; otherwise emails go to the log and an outbox folder.</summary>
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

    public sealed class SmtpSettings
    {
        public string? Host { get; set; }
        public int Port { get; set; } = 587;
        public string? Username { get; set; }
        public string? Password { get; set; }

        /// <summary>"auto" (STARTTLS when offered), "starttls", "ssl" or "none".</summary>
        public string Security { get; set; } = "auto";
    }
}
