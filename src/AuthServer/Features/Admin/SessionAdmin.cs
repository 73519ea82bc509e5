using AuthServer.Features.Audit;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Sessions;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

public sealed record AdminSessionView(
    Guid Id, Guid UserId, Guid OrganizationId, string Method, string? Ip, string? UserAgent, string? DeviceId,
    DateTimeOffset Created, DateTimeOffset LastActivity, DateTimeOffset? VerifiedAt, DateTimeOffset? EndedAt, string? EndReason)
{
    public static AdminSessionView From(Session s) => new(
        s.Id, s.UserId, s.OrganizationId, s.Method, s.Ip, s.UserAgent, s.DeviceId,
        s.Created, s.LastActivity, s.VerifiedAt, s.EndedAt, s.EndReason);
}

public sealed record RevokedSessionsView(Guid UserId, int Revoked);

/// <summary>
/// A user's sessions, and their revocation through <see cref="SessionService.EndAsync"/>, the same end as a
/// logout: every token naming a revoked session is refused from then on.
/// </summary>
public sealed class SessionAdmin(AuthDbContext db, UserAdmin users, SessionService sessions, AuditTrail audit)
{
    public const string RevokedReason = "revoked";

    /// <summary>Newest first.</summary>
    public async Task<Outcome<Page<AdminSessionView>>> ListAsync(AdminCaller caller, Guid userId, PageQuery query, CancellationToken cancellationToken)
    {
        var paging = await users.PageOfUserAsync(caller, userId, query, cancellationToken);
        if (paging.Failed)
        {
            return paging.Error!;
        }

        return await db.Sessions.AsNoTracking().Where(s => s.UserId == userId)
            .OrderByDescending(s => s.Created).ThenBy(s => s.Id)
            .ToPageAsync(paging.Value!, AdminSessionView.From, cancellationToken);
    }

    /// <summary>Ends one session; revoking an ended session changes nothing and succeeds.</summary>
    public async Task<Outcome<AdminSessionView>> RevokeAsync(AdminCaller caller, Guid sessionId, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null)
        {
            return AuthError.EntityMissing("No session with this id exists.");
        }

        if (caller.CheckAccess(session.OrganizationId) is { } denied)
        {
            return denied;
        }

        await sessions.EndAsync(sessionId, RevokedReason, cancellationToken);
        await audit.RecordAsync(AuditActor.Of(caller), "session.revoke", AuditTrail.Targets.Session, sessionId.ToString(), session.OrganizationId, cancellationToken);
        var ended = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId, cancellationToken);
        return AdminSessionView.From(ended);
    }

    /// <summary>Ends every active session of the user.</summary>
    public async Task<Outcome<RevokedSessionsView>> RevokeAllAsync(AdminCaller caller, Guid userId, CancellationToken cancellationToken)
    {
        var user = await users.FindAsync(caller, userId, tracked: false, cancellationToken);
        if (user.Failed)
        {
            return user.Error!;
        }

        var active = await db.Sessions.Where(s => s.UserId == userId && s.EndedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        // One at a time through EndAsync: whatever ending a session involves (now or later) happens for each.
        foreach (var sessionId in active)
        {
            await sessions.EndAsync(sessionId, RevokedReason, cancellationToken);
        }

        await audit.RecordAsync(AuditActor.Of(caller), "user.revokeSessions", AuditTrail.Targets.User, userId.ToString(), user.Value!.OrganizationId, cancellationToken);
        return new RevokedSessionsView(userId, active.Count);
    }
}
