namespace AuthServer.Data.Entities;

/// <summary>
/// A revoked stateless token (an access token, a signed JWT with no row of its own), named by its `jti`.
/// Kept until the token would have expired anyway; every instance holds the live ones in memory
/// (Features/Connect/RevokedTokenCache), so checking costs no database round trip.
/// </summary>
public sealed class RevokedToken
{
    public required string Jti { get; set; }

    /// <summary>The token's own expiry: after it the row is useless and deleted.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Database time of the revocation; instances read the rows newer than what they already saw.</summary>
    public DateTimeOffset RevokedAt { get; set; }
}
