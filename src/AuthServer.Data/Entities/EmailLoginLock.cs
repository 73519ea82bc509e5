namespace AuthServer.Data.Entities;

/// <summary>
/// The lifetime budget of consecutive wrong codes (and link tokens) of one address in one organization,
/// counted across its login attempts, rate-limit windows and server instances. A successful sign-in deletes the
/// row; once <c>ConsecutiveFailures</c> reaches the budget (Login:MaxConsecutiveFailedCodes), code and link
/// sign-in of the address are refused until a passkey sign-in or an administrator's unlock deletes it.
/// Keyed by address rather than user: an address without an account yet can be targeted too.
/// </summary>
public sealed class EmailLoginLock
{
    public Guid OrganizationId { get; set; }
    public required string NormalizedEmail { get; set; }
    public int ConsecutiveFailures { get; set; }

    /// <summary>When the budget ran out (the one failure that spent it); null while some is left.</summary>
    public DateTimeOffset? LockedAt { get; set; }

    public DateTimeOffset Updated { get; set; }
}
