namespace AuthServer.Data.Entities;

/// <summary>A person known to one organization, identified by email.</summary>
public sealed class User
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Organization? Organization { get; set; }

    public required string Email { get; set; }

    /// <summary>Lower-cased email: uniqueness per organization is case-insensitive.</summary>
    public required string NormalizedEmail { get; set; }

    public bool Verified { get; set; }
    public bool Blocked { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
    public DateTimeOffset? LastLogin { get; set; }
}
