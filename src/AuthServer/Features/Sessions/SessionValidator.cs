using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Sessions;

/// <summary>
/// The one place that decides whether a session is usable: it exists for this organization, was not
/// ended, was verified, is within the maximum session time and the inactivity time, and (when the
/// organization asks for it) still matches the IP, user agent and device id it started with. Every face
/// that accepts a token asks this; nothing else re-implements these rules.
/// </summary>
public sealed class SessionValidator(AuthDbContext db, OrganizationCache organizations, TimeProvider clock)
{
    /// <summary>Activity is written at most this often per session, never once per request.</summary>
    public static readonly TimeSpan ActivityWriteInterval = TimeSpan.FromSeconds(60);

    /// <summary>The CentralAuth face: the app forwards its end user's context, and the session must have been verified.</summary>
    public async Task<Outcome<Session>> ValidateAsync(Guid sessionId, CachedOrganization organization, ClientContext client, CancellationToken cancellationToken)
    {
        var session = await LoadAsync(sessionId, cancellationToken);
        if (session is null || session.OrganizationId != organization.Id)
        {
            return AuthError.SessionMissing();
        }

        return await CheckAsync(session, organization, client, cancellationToken);
    }

    /// <summary>
    /// The check for tokens of the standard face and for single sign-on. There is no end-user context to
    /// bind to (standard clients forward no IP or device id), and a session started on the CentralAuth face
    /// counts for single sign-on before its app exchanged its code.
    /// </summary>
    public async Task<Outcome<Session>> ValidateForTokenAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var session = await LoadAsync(sessionId, cancellationToken);
        var organization = session is null ? null : await organizations.FindAsync(session.OrganizationId, cancellationToken);
        if (session is null || organization is null)
        {
            return AuthError.SessionMissing();
        }

        return await CheckAsync(session, organization, client: null, cancellationToken);
    }

    // Compiled once: this runs on every userinfo, verify, introspection and refresh, and a compiled query
    // skips EF's per-call expression-tree walk and query-cache lookup.
    private static readonly Func<AuthDbContext, Guid, CancellationToken, Task<Session?>> SessionWithUser =
        EF.CompileAsyncQuery((AuthDbContext db, Guid sessionId, CancellationToken _) =>
            db.Sessions.AsNoTracking().Include(s => s.User).SingleOrDefault(s => s.Id == sessionId && s.User != null));

    private Task<Session?> LoadAsync(Guid sessionId, CancellationToken cancellationToken) =>
        SessionWithUser(db, sessionId, cancellationToken);

    /// <summary>The rules, in the order their errors take precedence; <paramref name="client"/> is null when there is nothing to bind to.</summary>
    private async Task<Outcome<Session>> CheckAsync(Session session, CachedOrganization organization, ClientContext? client, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = organization.Settings;
        if (session.EndedAt is not null)
        {
            return AuthError.SessionInactive();
        }

        if (client is not null && session.VerifiedAt is null)
        {
            return AuthError.SessionNotVerified();
        }

        if (now >= session.Created.AddSeconds(settings.MaxSessionTime))
        {
            return AuthError.SessionExpired();
        }

        if (now >= session.LastActivity.AddSeconds(settings.MaxInactivityTime))
        {
            return AuthError.SessionInactive();
        }

        if (client is not null
            && ((settings.CheckIp && !SameValue(session.Ip, client.Ip))
                || (settings.CheckUserAgent && !SameValue(session.UserAgent, client.UserAgent))
                || (settings.CheckDeviceId && !await DeviceMatchesAsync(session, client.DeviceId, cancellationToken))))
        {
            return AuthError.SessionInvalid();
        }

        if (session.User!.Blocked)
        {
            return AuthError.NoPermission("The user is blocked.");
        }

        await TouchAsync(session, now, cancellationToken);
        return session;
    }

    /// <summary>
    /// Counts a use as activity, coalesced: one conditional UPDATE per session per interval. The condition
    /// makes concurrent writers (several requests, several instances) harmless.
    /// </summary>
    private async Task TouchAsync(Session session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now - session.LastActivity < ActivityWriteInterval)
        {
            return;
        }

        var threshold = now - ActivityWriteInterval;
        await db.Sessions.Where(s => s.Id == session.Id && s.LastActivity < threshold)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastActivity, now), cancellationToken);
        session.LastActivity = now;
    }

    /// <summary>
    /// A browser sign-in knows no device id: the session is bound to the first one an app presents for it
    /// (trust on first use, written only while still unbound), and every later one must match.
    /// </summary>
    private async Task<bool> DeviceMatchesAsync(Session session, string? deviceId, CancellationToken cancellationToken)
    {
        if (session.DeviceId is not null || string.IsNullOrEmpty(deviceId))
        {
            return SameValue(session.DeviceId, deviceId);
        }

        var bound = await db.Sessions.Where(s => s.Id == session.Id && s.DeviceId == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.DeviceId, deviceId), cancellationToken);
        if (bound == 1)
        {
            session.DeviceId = deviceId;
            return true;
        }

        // Another request bound it first: compare with what it wrote.
        var current = await db.Sessions.Where(s => s.Id == session.Id).Select(s => s.DeviceId).SingleAsync(cancellationToken);
        return SameValue(current, deviceId);
    }

    private static bool SameValue(string? bound, string? presented) =>
        string.Equals(bound ?? "", presented ?? "", StringComparison.Ordinal);
}
