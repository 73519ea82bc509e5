namespace AuthServer.Data.Entities;

/// <summary>
/// A user of the system organization who may use the admin console: global, or administrator of the listed
/// organizations only (the same scoping as an API key).
/// </summary>
public sealed class Administrator
{
    /// <summary>The user (of the system organization) this role belongs to.</summary>
    public Guid UserId { get; set; }

    /// <summary>True: every organization. False: only <see cref="OrganizationIds"/>.</summary>
    public bool IsGlobal { get; set; }

    /// <summary>The organizations a scoped administrator administers; ids of deleted organizations simply match nothing.</summary>
    public List<Guid> OrganizationIds { get; set; } = [];

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}
