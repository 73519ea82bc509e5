namespace AuthServer.Data.Entities;

/// <summary>One recorded admin change or sign-in outcome.</summary>
public sealed class AuditLogEntry
{
    public long Id { get; set; }
    public required string ActorType { get; set; }
    public string? ActorId { get; set; }
    public required string Action { get; set; }
    public string? TargetType { get; set; }
    public string? TargetId { get; set; }
    public Guid? OrganizationId { get; set; }
    public required string Status { get; set; }
    public string? Ip { get; set; }
    public DateTimeOffset Created { get; set; }
}
