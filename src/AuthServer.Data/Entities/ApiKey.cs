namespace AuthServer.Data.Entities;

/// <summary>An admin API key. Only its SHA-256 hash is stored; the key is shown once.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required byte[] KeyHash { get; set; }

    /// <summary>The first characters of the key, to tell keys apart in lists.</summary>
    public required string Prefix { get; set; }

    /// <summary>Null for a global key; otherwise the one organization it may touch.</summary>
    public Guid? OrganizationId { get; set; }

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset? LastUsed { get; set; }
}
