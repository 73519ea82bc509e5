namespace AuthServer.Data.Entities;

/// <summary>
/// A proof-of-work puzzle given to one login page: find a counter such that SHA-256(Challenge + ":" + counter)
/// starts with <see cref="Difficulty"/> zero bits. Bound to its authorization request, single use
/// (<see cref="SpentAt"/> is set by one conditional update), short-lived.
/// </summary>
public sealed class ProofOfWorkChallenge
{
    public Guid Id { get; set; }
    public Guid AuthorizationRequestId { get; set; }

    /// <summary>Random, base64url; what the page's script hashes.</summary>
    public required string Challenge { get; set; }

    public int Difficulty { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? SpentAt { get; set; }
}
