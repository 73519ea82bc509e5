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
}
