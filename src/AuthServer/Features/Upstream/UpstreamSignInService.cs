using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Features.Login;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthServer.Features.Upstream;

/// <summary>
/// The end of an upstream sign-in, after OpenIddict validated the provider's answer: the account is found by
/// its linked identity (provider subject), else linked by a verified email, else created when the organization
/// allows it; then the sign-in core completes the request.
/// </summary>
public sealed class UpstreamSignInService(
    AuthDbContext db,
    AuthorizationRequestService requests,
    SignInCompleter completer,
    UpstreamLoginMethod method,
    AuditTrail audit,
    TimeProvider clock,
    ILogger<UpstreamSignInService> logger)
{
    public const string AuditTarget = "upstreamConnection";

    public async Task<Outcome<CompletedSignIn>> CompleteAsync(Guid connectionId, Guid requestId, UpstreamAccount account, ClientContext client, CancellationToken cancellationToken)
    {
        Outcome<CompletedSignIn> result;
        try
        {
            result = await CompleteInTransactionAsync(connectionId, requestId, account, client, cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same upstream account linked by a simultaneous sign-in on another page: this one may simply retry.
            logger.LogWarning("Upstream connection {Connection}: the account was linked concurrently", connectionId);
            result = AuthError.UpstreamSignInFailed();
        }

        var session = result.Failed ? null : db.Sessions.Local.FirstOrDefault(s => s.Id == result.Value!.SessionId);
        await RecordAsync(connectionId, result.Error, session, client.Ip);
        return result;
    }

    /// <summary>The audit line of an upstream sign-in ("signin.upstream"): the session, or the error with the connection as target.</summary>
    public Task RecordAsync(Guid connectionId, AuthError? error, Session? session, string? ip) =>
        audit.TryRecordSignInAsync(LoginMethods.AuditAction(method), error, session, AuditTarget, connectionId, async own =>
        {
            var organizationId = await own.UpstreamConnections.AsNoTracking().Where(c => c.Id == connectionId).Select(c => (Guid?)c.OrganizationId).SingleOrDefaultAsync();
            return (organizationId, null);
        }, ip);

    private async Task<Outcome<CompletedSignIn>> CompleteInTransactionAsync(Guid connectionId, Guid requestId, UpstreamAccount account, ClientContext client, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await requests.LockAsync(requestId, cancellationToken);
        if (locked.Failed)
        {
            return locked.Error!;
        }

        var (organization, request) = locked.Value;
        if (!method.IsEnabled(organization, request) || organization.UpstreamConnections.FirstOrDefault(c => c.Id == connectionId) is not { Enabled: true })
        {
            return AuthError.ConnectionMissing();
        }

        var now = clock.GetUtcNow();
        User user;
        var linked = await db.LinkedIdentities.SingleOrDefaultAsync(i => i.ConnectionId == connectionId && i.Subject == account.Subject, cancellationToken);
        if (linked is not null)
        {
            // Known upstream account: its email there may have changed since; the subject is what counts.
            user = await db.Users.SingleAsync(u => u.Id == linked.UserId, cancellationToken);
            if (user.OrganizationId != organization.Id || user.Blocked)
            {
                return AuthError.NoPermission("This user is blocked.");
            }

            linked.Email = account.Email;
            linked.LastUsed = now;
        }
        else
        {
            // A new upstream account links to a user here only through an address the provider verified.
            if (string.IsNullOrWhiteSpace(account.Email) || !account.EmailVerified || !EmailAddress.IsValid(account.Email))
            {
                return AuthError.UpstreamEmailUnverified();
            }

            var ensured = await completer.EnsureUserAsync(organization, account.Email, cancellationToken);
            if (ensured.Failed)
            {
                return ensured.Error!;
            }

            user = ensured.Value!;
            db.LinkedIdentities.Add(new LinkedIdentity
            {
                Id = Guid.NewGuid(),
                OrganizationId = organization.Id,
                UserId = user.Id,
                ConnectionId = connectionId,
                Subject = account.Subject,
                Email = account.Email,
                Created = now,
                LastUsed = now,
            });
        }

        var completed = await completer.CompleteAsync(organization, request, user, method, client, cancellationToken);
        db.Sessions.Local.Single(s => s.Id == completed.SessionId).UpstreamConnectionId = connectionId;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed;
    }
}
