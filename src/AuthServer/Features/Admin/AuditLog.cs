using System.Globalization;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

/// <summary>The caller of an admin service (an API key, or an administrator in the console) as the audit log names it.</summary>
public static class AdminAuditActor
{
    extension(AuditActor)
    {
        public static AuditActor Of(AdminCaller caller) => new(caller.ActorType, caller.ActorId, caller.Ip);
    }
}

public sealed record AuditEntryView(
    long Id, DateTimeOffset Created, string ActorType, string? ActorId, string Action, string? TargetType, string? TargetId,
    Guid? OrganizationId, string Status, string? Ip)
{
    public static AuditEntryView From(AuditLogEntry e) =>
        new(e.Id, e.Created, e.ActorType, e.ActorId, e.Action, e.TargetType, e.TargetId, e.OrganizationId, e.Status, e.Ip);
}

/// <summary>Filters of GET /api/v1/admin/audit_log; every one optional, all combined.</summary>
public sealed class AuditLogQuery
{
    [FromQuery(Name = "action")]
    public string? Action { get; init; }
    [FromQuery(Name = "targetType")]
    public string? TargetType { get; init; }
    [FromQuery(Name = "targetId")]
    public string? TargetId { get; init; }
    [FromQuery(Name = "actorType")]
    public string? ActorType { get; init; }
    [FromQuery(Name = "actorId")]
    public string? ActorId { get; init; }
    [FromQuery(Name = "organizationId")]
    public Guid? OrganizationId { get; init; }

    /// <summary>Entries at or after this time (ISO 8601).</summary>
    [FromQuery(Name = "from")]
    public string? From { get; init; }

    /// <summary>Entries before this time (ISO 8601).</summary>
    [FromQuery(Name = "to")]
    public string? To { get; init; }
}

/// <summary>The admin API's view of the audit log (written by <see cref="AuditTrail"/>): filtered, scoped, paged.</summary>
public sealed class AuditLog(AuthDbContext db)
{
    public async Task<Outcome<Page<AuditEntryView>>> ListAsync(AdminCaller caller, AuditLogQuery filter, PageQuery page, CancellationToken cancellationToken)
    {
        // A scoped caller sees its own organizations' entries only.
        var organizationId = filter.OrganizationId;
        if (organizationId is { } requested && caller.CheckAccess(requested) is { } denied)
        {
            return denied;
        }

        var details = new List<ErrorDetail>();
        var from = ParseTime(filter.From, "from", details);
        var to = ParseTime(filter.To, "to", details);
        var paging = page.Validate();
        if (paging.Failed)
        {
            details.AddRange(paging.Error!.Details ?? []);
        }

        if (details.Count > 0)
        {
            return AuthError.EntityInvalid(details);
        }

        var query = db.AuditLog.AsNoTracking();
        if (organizationId is { } scoped)
        {
            query = query.Where(e => e.OrganizationId == scoped);
        }
        else if (caller.Organizations is { } allowed)
        {
            query = query.Where(e => e.OrganizationId != null && allowed.Contains(e.OrganizationId.Value));
        }

        if (!string.IsNullOrEmpty(filter.Action))
        {
            query = query.Where(e => e.Action == filter.Action);
        }

        if (!string.IsNullOrEmpty(filter.TargetType))
        {
            query = query.Where(e => e.TargetType == filter.TargetType);
        }

        if (!string.IsNullOrEmpty(filter.TargetId))
        {
            query = query.Where(e => e.TargetId == filter.TargetId);
        }

        if (!string.IsNullOrEmpty(filter.ActorType))
        {
            query = query.Where(e => e.ActorType == filter.ActorType);
        }

        if (!string.IsNullOrEmpty(filter.ActorId))
        {
            query = query.Where(e => e.ActorId == filter.ActorId);
        }

        if (from is { } start)
        {
            query = query.Where(e => e.Created >= start);
        }

        if (to is { } end)
        {
            query = query.Where(e => e.Created < end);
        }

        return await query.OrderByDescending(e => e.Id).ToPageAsync(paging.Value!, AuditEntryView.From, cancellationToken);
    }

    private static DateTimeOffset? ParseTime(string? text, string name, List<ErrorDetail> details)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        details.Add(new ErrorDetail(name, "Must be a date and time in ISO 8601 format, e.g. 2025-01-31T12:00:00Z."));
        return null;
    }
}
