using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Webhooks;
using AuthServer.Hosting.Telemetry;

namespace AuthServer.Features.Audit;

/// <summary>Who did something: an API key, a user signing in, the command line.</summary>
public sealed record AuditActor(string Type, string? Id, string? Ip)
{
    public static AuditActor CommandLine() => new("cli", Environment.UserName, null);

    public static AuditActor User(Guid? userId, string? ip) => new("user", userId?.ToString(), ip);
}

/// <summary>
/// Writes the audit log: every admin change (in the change's own unit of work) and every sign-in outcome (in a
/// unit of work of its own, never able to fail the sign-in). Part of the core: login methods record here; the
/// admin API only lists (Features/Admin/AuditLog.cs).
/// </summary>
public sealed class AuditTrail(AuthDbContext db, IServiceScopeFactory scopes, WebhookEvents webhooks, TimeProvider clock, ILogger<AuditTrail> logger)
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
    /// Records a sign-in outcome: "success" with the new session as target, or the errorCode with the method's own
    /// object (login attempt, passkey ceremony) as target; <paramref name="findOwner"/> reads that object's
    /// organization and user on the audit's connection. Written outside the sign-in's transaction and change
    /// tracker, and never throws: a lost audit line must not turn a sign-in into an error; it is logged.
    /// Also counts the outcome (<paramref name="metricMethod"/>: code, link, passkey; the action's method when
    /// null) and queues a failure's <c>signin.failed</c> webhook with the audit line.
    /// </summary>
    public async Task TryRecordSignInAsync(string action, AuthError? error, Session? session, string targetType, Guid? targetId,
        Func<AuthDbContext, Task<(Guid? OrganizationId, Guid? UserId)>> findOwner, string? ip, string? metricMethod = null)
    {
        var method = metricMethod ?? (action.StartsWith("signin.", StringComparison.Ordinal) ? action["signin.".Length..] : action);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            AuditLogEntry entry;
            if (error is null && session is not null)
            {
                entry = Entry(AuditActor.User(session.UserId, ip), action, Targets.Session, session.Id.ToString(), session.OrganizationId, Success);
                AuthMetrics.SignInFinished(session.OrganizationId, method, null);
            }
            else
            {
                var (organizationId, userId) = targetId is null ? (null, null) : await findOwner(own);
                var code = error?.Code ?? ErrorCatalog.GenericError.Code;
                entry = Entry(AuditActor.User(userId, ip), action, targetType, targetId?.ToString(), organizationId, code);
                AuthMetrics.SignInFinished(organizationId, method, code);
                if (organizationId is { } organization)
                {
                    await webhooks.AddAsync(own, organization, WebhookEventTypes.SignInFailed,
                        new { organizationId = organization, userId, method, errorCode = code }, CancellationToken.None);
                }
            }

            own.AuditLog.Add(entry);
            // Not the request's token: a sign-in that happened is recorded even if the browser went away.
            await own.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not write the audit entry {Action} of {TargetType} {TargetId} ({Status})", action, targetType, targetId, error?.Code ?? Success);
        }
    }

    /// <summary>
    /// Records an event that is not a sign-in outcome nor an admin change (an address locked after too many wrong
    /// codes, a sign-in refused from another device) on a connection of its own, after the caller's transaction.
    /// Never throws: it is logged instead.
    /// </summary>
    public async Task TryRecordEventAsync(AuditActor actor, string action, string targetType, string? targetId, Guid? organizationId, string status)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            own.AuditLog.Add(Entry(actor, action, targetType, targetId, organizationId, status));
            await own.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not write the audit entry {Action} of {TargetType} ({Status})", action, targetType, status);
        }
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

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
