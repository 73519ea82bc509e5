namespace AuthServer.Data.Entities;

/// <summary>
/// The CentralAuth face's single-use code, exchanged at /api/v1/verify. Stored as a hash.
/// </summary>
public sealed class AuthorizationCode
{
    public Guid Id { get; set; }
    public required byte[] CodeHash { get; set; }
    public Guid SessionId { get; set; }
    public Guid OrganizationId { get; set; }
    public required string RedirectUri { get; set; }
    public required string CodeChallenge { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}
