namespace AuthServer.Data.Entities;

/// <summary>A WebAuthn credential registered by a user.</summary>
public sealed class PasskeyCredential
{
    public required byte[] CredentialId { get; set; }
    public Guid UserId { get; set; }
    public Guid OrganizationId { get; set; }
    public required byte[] PublicKey { get; set; }
    public long SignCount { get; set; }
    public string[] Transports { get; set; } = [];
    public bool IsUserVerified { get; set; }
    public bool IsBackupEligible { get; set; }
    public bool IsBackedUp { get; set; }
    public byte[]? AttestationObject { get; set; }
    public byte[]? ClientDataJson { get; set; }
    public string? Name { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset? LastUsed { get; set; }
}
