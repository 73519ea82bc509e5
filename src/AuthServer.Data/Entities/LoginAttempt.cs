namespace AuthServer.Data.Entities;

/// <summary>
/// An emailed code or link sent for one authorization request. Single use, expiring, burned after
/// too many wrong codes. Only hashes of the code and link token are stored.
/// </summary>
public sealed class LoginAttempt
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid? AuthorizationRequestId { get; set; }
    public AuthorizationRequest? AuthorizationRequest { get; set; }

    public required string Email { get; set; }
    public required string NormalizedEmail { get; set; }
    public EmailLoginType Type { get; set; }

    /// <summary>SHA-256 of the 5-digit code, bound to the attempt id (see LoginSecretHasher).</summary>
    public required byte[] CodeHash { get; set; }

    /// <summary>SHA-256 of the one-time link token.</summary>
    public required byte[] LinkTokenHash { get; set; }

    public int FailedChecks { get; set; }
    public string? Ip { get; set; }
    public string? UserAgent { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// HMAC of the random value of the browser that asked for the email (cookie set by the login page): a link
    /// opened with that cookie is on the same device; opened elsewhere it needs an approval.
    /// </summary>
    public byte[]? BrowserBindingHash { get; set; }

    /// <summary>The short number both the waiting page and the link's page show, so the person compares them.</summary>
    public string? ApprovalNumber { get; set; }

    /// <summary>Approved from another device: the waiting browser completes the sign-in on its next poll.</summary>
    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>"This wasn't me" on the link's page: the attempt is cancelled.</summary>
    public DateTimeOffset? DeclinedAt { get; set; }
}
