using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.Webhooks;

namespace AuthServer.Features.Sessions;

/// <summary>Session lifecycle: start (inside a sign-in's transaction) and end (logout, revocation).</summary>
public sealed class SessionService(AuthDbContext db, WebhookEvents webhooks, TimeProvider clock)
{
    public const string MethodEmail = "otp";
    public const string MethodPasskey = "hwk";

    /// <summary>Adds a session to the current unit of work; the caller saves it with the rest of the sign-in.</summary>
    public Session Start(Guid organizationId, User user, string method, ClientContext client)
    {
        var now = clock.GetUtcNow();
        var session = new Session
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            UserId = user.Id,
            User = user,
            Method = method,
            Ip = client.Ip,
            UserAgent = client.UserAgent,
            DeviceId = client.DeviceId,
            Created = now,
            LastActivity = now,
        };
        db.Sessions.Add(session);
        return session;
    }

    /// <summary>
    /// Ends a session; ending an ended session changes nothing (logout is idempotent). Its <c>session.ended</c>
    /// webhook is queued by the same statement.
    /// </summary>
    public Task EndAsync(Guid sessionId, string reason, CancellationToken cancellationToken) =>
        webhooks.EndSessionAsync(db, sessionId, reason, cancellationToken);
}
