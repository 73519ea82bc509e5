namespace AuthServer.Data.Entities;

/// <summary>
/// A tenant: one app (or family of apps) whose users sign in here. Its id is the OAuth client_id.
/// </summary>
public sealed class Organization
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>
    /// The client secret, encrypted at rest with Data Protection. It cannot be hashed: the
    /// CentralAuth-style face encrypts tokens with the secret itself (see docs/protocol.md).
    /// </summary>
    public required string ProtectedSecret { get; set; }

    /// <summary>A rotated secret waiting for activation; both are accepted until then.</summary>
    public string? PendingProtectedSecret { get; set; }
    public DateTimeOffset? PendingSecretCreated { get; set; }

    /// <summary>Origins (scheme://host[:port]) an app's callback may live on.</summary>
    public List<string> WhitelistedOrigins { get; set; } = [];

    /// <summary>Exact redirect URIs for the standard /connect/authorize face.</summary>
    public List<string> RedirectUris { get; set; } = [];

    public OrganizationSettings Settings { get; set; } = new();
    public OrganizationConnections Connections { get; set; } = new();

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}

public enum EmailLoginType
{
    Code = 0,
    Link = 1,
}

/// <summary>Per-organization behaviour of sign-in and sessions.</summary>
public sealed class OrganizationSettings
{
    /// <summary>Longest a session may live, in seconds.</summary>
    public int MaxSessionTime { get; set; } = 30 * 24 * 3600;

    /// <summary>Longest a session may stay unused, in seconds.</summary>
    public int MaxInactivityTime { get; set; } = 7 * 24 * 3600;

    public bool EnableUserCreation { get; set; } = true;
    public bool AllowLocalhost { get; set; }

    /// <summary>Hijack protection: the session is bound to the IP / user agent / device id it started with.</summary>
    public bool CheckIp { get; set; }
    public bool CheckUserAgent { get; set; }
    public bool CheckDeviceId { get; set; }

    public EmailLoginType DefaultEmailLoginType { get; set; } = EmailLoginType.Code;

    /// <summary>
    /// Emails sent or codes refused per IP or per address within Login:RateLimitWindow after which the email step
    /// asks for a proof of work (its difficulty rises with the count); 0 never asks.
    /// </summary>
    public int ProofOfWorkThreshold { get; set; } = 10;
}

/// <summary>Which login methods are enabled.</summary>
public sealed class OrganizationConnections
{
    public bool Email { get; set; } = true;
    public bool Passkey { get; set; } = true;
}
