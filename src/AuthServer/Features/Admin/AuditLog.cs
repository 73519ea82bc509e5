using System.Globalization;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

/// <summary>Who did something: an API key, a user signing in, the command line.</summary>
public sealed record AuditActor(string Type, string? Id, string? Ip)
{
    public static AuditActor Of(AdminCaller caller) => new(AdminCaller.ActorType, caller.ApiKeyId.ToString(), caller.Ip);

    public static AuditActor CommandLine() => new("cli", Environment.UserName, null);
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

/// <summary>
/// The audit log: every admin change (in the change's own unit of work) and every sign-in outcome (in a
/// unit of work of its own, never able to fail the sign-in).
/// </summary>
public sealed class AuditLog(AuthDbContext db, IServiceScopeFactory scopes, TimeProvider clock, ILogger<AuditLog> logger)
{
    public const string Success = "success";

    public static class Targets
    {
        public const string Organization = "organization";
        public const string User = "user";
        public const string Session = "session";
        public const string Passkey = "passkey";
        public const string ApiKey = "apiKey";
        public const string LoginAttempt = "loginAttempt";
        public const string PasskeyCeremony = "passkeyCeremony";
    }

    /// <summary>Adds a successful admin change to the current unit of work; the caller saves it with the change.</summary>
    public void Add(AuditActor actor, string action, string targetType, string? targetId, Guid? organizationId) =>
        db.AuditLog.Add(Entry(actor, action, targetType, targetId, organizationId, Success));

    /// <summary>Records an admin change that was already saved (by another service).</summary>
    public async Task RecordAsync(AuditActor actor, string action, string targetType, string? targetId, Guid? organizationId, CancellationToken cancellationToken)
    {
        Add(actor, action, targetType, targetId, organizationId);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Records a sign-in outcome: "success" with the new session as target, or the errorCode with the login
    /// attempt as target. Written on a connection of its own, outside the sign-in's transaction and change
    /// tracker, and never throws: a lost audit line must not turn a sign-in into an error; it is logged.
    /// </summary>
    public async Task TryRecordSignInAsync(string method, AuthError? error, Guid attemptId, Session? session, string? ip)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            // Not the request's token: a sign-in that happened is recorded even if the browser went away.
            var cancellationToken = CancellationToken.None;
            AuditLogEntry entry;
            if (error is null && session is not null)
            {
                entry = Entry(new AuditActor("user", session.UserId.ToString(), ip), "signin." + method, Targets.Session, session.Id.ToString(), session.OrganizationId, Success);
            }
            else
            {
                var attempt = await own.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId)
                    .Select(a => new { a.OrganizationId, a.NormalizedEmail }).SingleOrDefaultAsync(cancellationToken);
                var userId = attempt is null
                    ? null
                    : await own.Users.Where(u => u.OrganizationId == attempt.OrganizationId && u.NormalizedEmail == attempt.NormalizedEmail)
                        .Select(u => (Guid?)u.Id).SingleOrDefaultAsync(cancellationToken);
                entry = Entry(new AuditActor("user", userId?.ToString(), ip), "signin." + method, Targets.LoginAttempt, attemptId.ToString(),
                    attempt?.OrganizationId, error?.Code ?? ErrorCatalog.GenericError.Code);
            }

            own.AuditLog.Add(entry);
            await own.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not write the audit entry of sign-in attempt {AttemptId} ({Status})", attemptId, error?.Code ?? Success);
        }
    }

    /// <summary>
    /// Records a passkey sign-in outcome (also a registration's, which signs in): "success" with the new session
    /// as target, or the errorCode with the ceremony as target. Like <see cref="TryRecordSignInAsync"/>: its own
    /// connection, never throws.
    /// </summary>
    public async Task TryRecordPasskeySignInAsync(AuthError? error, Guid? ceremonyId, Session? session, string? ip)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            AuditLogEntry entry;
            if (error is null && session is not null)
            {
                entry = Entry(new AuditActor("user", session.UserId.ToString(), ip), "signin.passkey", Targets.Session, session.Id.ToString(), session.OrganizationId, Success);
            }
            else
            {
                var ceremony = ceremonyId is null ? null : await own.PasskeyCeremonies.AsNoTracking().Where(c => c.Id == ceremonyId)
                    .Select(c => new { c.OrganizationId, c.UserId }).SingleOrDefaultAsync(CancellationToken.None);
                entry = Entry(new AuditActor("user", ceremony?.UserId?.ToString(), ip), "signin.passkey", Targets.PasskeyCeremony, ceremonyId?.ToString(),
                    ceremony?.OrganizationId, error?.Code ?? ErrorCatalog.GenericError.Code);
            }

            own.AuditLog.Add(entry);
            await own.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not write the audit entry of passkey ceremony {CeremonyId} ({Status})", ceremonyId, error?.Code ?? Success);
        }
    }

    public async Task<Outcome<Page<AuditEntryView>>> ListAsync(AdminCaller caller, AuditLogQuery filter, PageQuery page, CancellationToken cancellationToken)
    {
        // A scoped key sees its own organization's entries only.
        var organizationId = filter.OrganizationId ?? caller.OrganizationId;
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

    private AuditLogEntry Entry(AuditActor actor, string action, string targetType, string? targetId, Guid? organizationId, string status) => new()
    {
        ActorType = actor.Type,
        ActorId = Truncate(actor.Id, 200),
        Action = action,
        TargetType = targetType,
        TargetId = Truncate(targetId, 200),
        OrganizationId = organizationId,
        Status = Truncate(status, 64)!,
        Ip = Truncate(actor.Ip, 64),
        Created = clock.GetUtcNow(),
    };

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

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
