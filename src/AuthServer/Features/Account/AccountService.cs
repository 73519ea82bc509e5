using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.Passkeys;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Account;

/// <summary>The person this browser's SSO cookie names, through a session <see cref="SessionValidator"/> accepts.</summary>
public sealed record AccountHolder(Session Session, CachedOrganization Organization)
{
    public Guid UserId => Session.UserId;
}

/// <summary>A passkey as its owner sees it; <c>Id</c> is the credential id in base64url.</summary>
public sealed record AccountPasskey(string Id, string Name, DateTimeOffset Created, DateTimeOffset? LastUsed);

public sealed record AccountSession(Guid Id, string? UserAgent, string? Ip, DateTimeOffset Created, DateTimeOffset LastActivity, bool ThisDevice);

public sealed record AccountView(string Email, IReadOnlyList<AccountPasskey> Passkeys, IReadOnlyList<AccountSession> Sessions);

/// <summary>
/// A person's own passkeys and sessions. Every change is scoped to the signed-in user (an id of anyone
/// else's passkey or session is "missing", whatever exists), audited with the user as actor, and goes through
/// the same ends as the admin API's: a passkey through <see cref="PasskeyChanges"/> (a removal queues
/// <c>passkey.removed</c>), an ended session through <see cref="SessionService.EndAsync"/> (<c>session.ended</c>,
/// every token of it refused at once).
/// </summary>
public sealed class AccountService(
    AuthDbContext db,
    SessionCookie sessionCookie,
    SessionValidator sessions,
    SessionService sessionEnds,
    OrganizationCache organizations,
    AuditTrail audit,
    PasskeyChanges passkeys,
    TimeProvider clock)
{
    /// <summary>The most sessions and passkeys listed; a person with more is better served by the admin.</summary>
    public const int ListLimit = 50;

    public async Task<Outcome<AccountHolder>> SignedInAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (sessionCookie.Read(context) is not { } sessionId)
        {
            return AuthError.SessionMissing();
        }

        var session = await sessions.ValidateForTokenAsync(sessionId, cancellationToken);
        if (session.Failed)
        {
            return session.Error!;
        }

        var organization = await organizations.FindAsync(session.Value!.OrganizationId, cancellationToken);
        return organization is null ? AuthError.SessionMissing() : new AccountHolder(session.Value, organization);
    }

    public async Task<AccountView> ViewAsync(AccountHolder holder, CancellationToken cancellationToken)
    {
        var passkeys = await db.PasskeyCredentials.AsNoTracking().Where(p => p.UserId == holder.UserId)
            .OrderBy(p => p.Created).Take(ListLimit).ToListAsync(cancellationToken);
        // This browser's session first, then the most recently active.
        var current = holder.Session.Id;
        var sessionList = await ActiveSessions(holder).OrderByDescending(s => s.Id == current).ThenByDescending(s => s.LastActivity).ThenBy(s => s.Id)
            .Take(ListLimit).ToListAsync(cancellationToken);
        return new AccountView(
            holder.Session.User?.Email ?? "",
            [.. passkeys.Select(p => new AccountPasskey(WebEncoders.Base64UrlEncode(p.CredentialId), p.Name ?? "", p.Created, p.LastUsed))],
            [.. sessionList.Select(s => new AccountSession(s.Id, s.UserAgent, s.Ip, s.Created, s.LastActivity, s.Id == holder.Session.Id))]);
    }

    public async Task<Outcome<bool>> RenamePasskeyAsync(AccountHolder holder, string? id, string? name, string? ip, CancellationToken cancellationToken)
    {
        var validName = PasskeyChanges.ValidName(name);
        if (validName.Failed)
        {
            return validName.Error!;
        }

        if (await OwnPasskeyAsync(holder, id, cancellationToken) is not { } passkey)
        {
            return MissingPasskey();
        }

        await passkeys.RenameAsync(passkey, validName.Value!, AuditActor.User(holder.UserId, ip), cancellationToken);
        return true;
    }

    public async Task<Outcome<bool>> DeletePasskeyAsync(AccountHolder holder, string? id, string? ip, CancellationToken cancellationToken)
    {
        if (await OwnPasskeyAsync(holder, id, cancellationToken) is not { } passkey)
        {
            return MissingPasskey();
        }

        await passkeys.RemoveAsync(passkey, AuditActor.User(holder.UserId, ip), cancellationToken);
        return true;
    }

    /// <summary>Ends one of the person's sessions (this device's too: that is signing out here).</summary>
    public async Task<Outcome<bool>> EndSessionAsync(AccountHolder holder, Guid? sessionId, string? ip, CancellationToken cancellationToken)
    {
        var exists = sessionId is { } id && await ActiveSessions(holder).AnyAsync(s => s.Id == id, cancellationToken);
        if (!exists)
        {
            return AuthError.EntityMissing("No active session of yours has this id.");
        }

        await EndAsync(holder, sessionId!.Value, ip, cancellationToken);
        return true;
    }

    /// <summary>Ends every active session of the person but this browser's; returns how many.</summary>
    public async Task<int> EndOtherSessionsAsync(AccountHolder holder, string? ip, CancellationToken cancellationToken)
    {
        var others = await ActiveSessions(holder).Where(s => s.Id != holder.Session.Id).Select(s => s.Id).ToListAsync(cancellationToken);
        // One at a time through EndAsync, as the admin's "revoke all": whatever ending a session involves happens for each.
        foreach (var other in others)
        {
            await EndAsync(holder, other, ip, cancellationToken);
        }

        return others.Count;
    }

    private async Task EndAsync(AccountHolder holder, Guid sessionId, string? ip, CancellationToken cancellationToken)
    {
        await sessionEnds.EndAsync(sessionId, SessionAdmin.RevokedReason, cancellationToken);
        await audit.RecordAsync(AuditActor.User(holder.UserId, ip), "session.revoke", AuditTrail.Targets.Session, sessionId.ToString(), holder.Organization.Id, cancellationToken);
    }

    /// <summary>The user's sessions that still count: not ended, within the organization's lifetime and inactivity limits.</summary>
    private IQueryable<Session> ActiveSessions(AccountHolder holder)
    {
        var now = clock.GetUtcNow();
        var createdAfter = now.AddSeconds(-holder.Organization.Settings.MaxSessionTime);
        var activeAfter = now.AddSeconds(-holder.Organization.Settings.MaxInactivityTime);
        return db.Sessions.Where(s => s.UserId == holder.UserId && s.EndedAt == null && s.Created > createdAfter && s.LastActivity > activeAfter);
    }

    private Task<PasskeyCredential?> OwnPasskeyAsync(AccountHolder holder, string? id, CancellationToken cancellationToken) =>
        passkeys.FindAsync(id, all => all.Where(p => p.UserId == holder.UserId), cancellationToken);

    private static AuthError MissingPasskey() => AuthError.EntityMissing("No passkey of yours has this id.");
}
