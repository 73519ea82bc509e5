namespace AuthServer.Data.Entities;

public enum PasskeyCeremonyKind
{
    Registration = 0,
    Assertion = 1,

    /// <summary>A passkey added by someone already signed in (the offer after an email sign-in): it signs nobody in.</summary>
    SignedInRegistration = 2,
}

/// <summary>A pending WebAuthn ceremony: its options and state live here, used once, for a few minutes.</summary>
public sealed class PasskeyCeremony
{
    public Guid Id { get; set; }
    public PasskeyCeremonyKind Kind { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid? UserId { get; set; }
    public Guid? AuthorizationRequestId { get; set; }
    public required string State { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}
