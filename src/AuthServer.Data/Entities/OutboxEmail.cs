namespace AuthServer.Data.Entities;

/// <summary>
/// One email waiting for (or done with) delivery: written in the transaction that decided to send it, sent
/// by a background sender on any instance. The message itself (subject and bodies carry the sign-in code or
/// link) is kept only encrypted with Data Protection and erased once the email is sent or given up.
/// </summary>
public sealed class OutboxEmail
{
    public Guid Id { get; set; }
    public Guid? OrganizationId { get; set; }
    public required string Recipient { get; set; }

    /// <summary>What the email is, e.g. <c>signin.code</c> or <c>signin.link</c>; never its content.</summary>
    public required string Kind { get; set; }

    /// <summary><c>pending</c>, <c>sent</c>, <c>failed</c> (attempts exhausted) or <c>expired</c> (its code or link expired first).</summary>
    public required string Status { get; set; }

    /// <summary>The message protected with Data Protection; null once sent or given up.</summary>
    public byte[]? ProtectedContent { get; set; }

    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset Created { get; set; }

    /// <summary>When a sender may try it next (now at first, later after a failure).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Past this time the email is useless (its code or link has expired) and is not sent.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}
