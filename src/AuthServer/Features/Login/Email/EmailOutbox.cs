using System.Text.Json;
using AuthServer.Data;
using AuthServer.Data.Entities;
using Microsoft.AspNetCore.DataProtection;

namespace AuthServer.Features.Login.Email;

/// <summary>
/// Queues emails in the database (table <c>email_outbox</c>) as part of the caller's unit of work: the
/// email exists exactly when the change that asked for it is committed, and the request never waits for
/// a mail server. <see cref="OutboxEmailDispatcher"/> sends it. The message is stored encrypted with
/// Data Protection (its subject and body carry the sign-in code or link), so the table never shows a
/// usable code; the recipient, organization and kind stay readable for the mail log.
/// </summary>
public sealed class EmailOutbox(AuthDbContext db, OutboxContentProtector protector, OutboxSignal signal, TimeProvider clock)
{
    public static class Kinds
    {
        public const string SignInCode = "signin.code";
        public const string SignInLink = "signin.link";
        public const string SignInLocked = "signin.locked";
    }

    public static class Statuses
    {
        public const string Pending = "pending";
        public const string Sent = "sent";
        public const string Failed = "failed";
        public const string Expired = "expired";

        public static readonly string[] All = [Pending, Sent, Failed, Expired];
    }

    /// <summary>Adds the email to the current unit of work; the caller saves it, then calls <see cref="Committed"/>.</summary>
    public OutboxEmail Add(Guid? organizationId, string kind, EmailMessage message, DateTimeOffset expiresAt)
    {
        var now = clock.GetUtcNow();
        var email = new OutboxEmail
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Recipient = message.To,
            Kind = kind,
            Status = Statuses.Pending,
            ProtectedContent = protector.Protect(message),
            Created = now,
            NextAttemptAt = now,
            ExpiresAt = expiresAt,
        };
        db.OutboxEmails.Add(email);
        AuthServer.Hosting.Telemetry.AuthMetrics.EmailQueued(kind);
        return email;
    }

    /// <summary>Wakes this instance's senders once the caller's transaction has committed.</summary>
    public void Committed() => signal.Notify();
}

/// <summary>Encrypts queued messages with Data Protection (key ring shared in the database, so any instance reads them).</summary>
public sealed class OutboxContentProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("AuthServer.EmailOutbox.v1");

    public byte[] Protect(EmailMessage message) => protector.Protect(JsonSerializer.SerializeToUtf8Bytes(message));

    public EmailMessage Unprotect(byte[] content) =>
        JsonSerializer.Deserialize<EmailMessage>(protector.Unprotect(content)) ?? throw new InvalidDataException("Empty queued email.");
}
