using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.Login.Email;
using AuthServer.Pages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Lockout;

/// <summary>
/// The lifetime budget of consecutive wrong codes per organization and address (NIST SP 800-63B §5.2.2): the
/// per-window rate limits reset every window, so without it an address could be guessed at all day from any
/// number of IPs. One row per address with failures (<see cref="EmailLoginLock"/>), counted with one atomic
/// upsert, so the count holds across attempts, windows and instances. Only a successful sign-in (any method:
/// <see cref="SignIn.SignInCompleter"/>) or an administrator's unlock deletes it.
/// </summary>
public sealed class EmailLoginLocks(AuthDbContext db, EmailOutbox outbox, LockedEmailComposer composer, IOptions<LoginOptions> options, TimeProvider clock)
{
    public const string AuditTarget = "emailAddress";
    public const string LockAction = "emailLogin.lock";
    public const string UnlockAction = "emailLogin.unlock";

    private int Budget => options.Value.MaxConsecutiveFailedCodes;

    /// <summary>Whether code and link sign-in of the address is refused (the budget is spent).</summary>
    public Task<bool> IsLockedAsync(Guid organizationId, string normalizedEmail, CancellationToken cancellationToken) =>
        db.EmailLoginLocks.AnyAsync(l => l.OrganizationId == organizationId && l.NormalizedEmail == normalizedEmail && l.ConsecutiveFailures >= Budget, cancellationToken);

    /// <summary>
    /// In the caller's transaction: locks the address's row (when it has one) and tells whether the budget is
    /// spent. Checks of two attempts of one address then queue behind each other, so the check that spends the
    /// budget and a concurrent one cannot both pass it.
    /// </summary>
    public async Task<bool> HoldAsync(Guid organizationId, string normalizedEmail, CancellationToken cancellationToken)
    {
        var failures = await db.Database.SqlQuery<int>($"""
            SELECT "ConsecutiveFailures" AS "Value" FROM email_login_locks
            WHERE "OrganizationId" = {organizationId} AND "NormalizedEmail" = {normalizedEmail} FOR UPDATE
            """).ToListAsync(cancellationToken);
        return failures.Count == 1 && failures[0] >= Budget;
    }

    /// <summary>
    /// Counts one wrong code in the caller's transaction; returns true when this very failure spent the budget
    /// (exactly one failure does, whatever the concurrency: the upsert is atomic). That one also queues the email
    /// telling the person, in the same transaction, in the language and look of <paramref name="page"/>.
    /// </summary>
    public async Task<FailureCount> RecordFailureAsync(Guid organizationId, string normalizedEmail, string email, PageContext page, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var budget = Budget;
        var counted = await db.Database.SqlQuery<int>($"""
            INSERT INTO email_login_locks ("OrganizationId", "NormalizedEmail", "ConsecutiveFailures", "LockedAt", "Updated")
            VALUES ({organizationId}, {normalizedEmail}, 1, CASE WHEN {budget} <= 1 THEN {now} END, {now})
            ON CONFLICT ("OrganizationId", "NormalizedEmail") DO UPDATE SET
                "ConsecutiveFailures" = email_login_locks."ConsecutiveFailures" + 1,
                "LockedAt" = CASE WHEN email_login_locks."ConsecutiveFailures" + 1 = {budget} THEN {now} ELSE email_login_locks."LockedAt" END,
                "Updated" = {now}
            RETURNING "ConsecutiveFailures" AS "Value"
            """).ToListAsync(cancellationToken);
        var failures = counted.Single();
        var spentNow = failures == budget;
        if (spentNow)
        {
            // Told once: only the failure that reaches the budget exactly queues it. A day to deliver it.
            outbox.Add(organizationId, EmailOutbox.Kinds.SignInLocked, await composer.ComposeAsync(page, email, budget), now.AddDays(1));
        }

        return new FailureCount(failures, failures >= budget, spentNow);
    }

    /// <summary>A successful sign-in gives the address its whole budget back (in the sign-in's transaction).</summary>
    public Task ResetAsync(Guid organizationId, string normalizedEmail, CancellationToken cancellationToken) =>
        db.EmailLoginLocks.Where(l => l.OrganizationId == organizationId && l.NormalizedEmail == normalizedEmail).ExecuteDeleteAsync(cancellationToken);

    /// <summary>The address's count and whether it is locked, for the admin API.</summary>
    public async Task<EmailLoginLockState> StateAsync(Guid organizationId, string normalizedEmail, CancellationToken cancellationToken)
    {
        var row = await db.EmailLoginLocks.AsNoTracking()
            .SingleOrDefaultAsync(l => l.OrganizationId == organizationId && l.NormalizedEmail == normalizedEmail, cancellationToken);
        var failures = row?.ConsecutiveFailures ?? 0;
        return new EmailLoginLockState(normalizedEmail, failures, Budget, failures >= Budget, failures >= Budget ? row?.LockedAt : null);
    }
}

/// <summary>The count after one more wrong code: <see cref="Locked"/> once spent, <see cref="SpentNow"/> for the failure that spent it.</summary>
public readonly record struct FailureCount(int Failures, bool Locked, bool SpentNow);

/// <summary>An address's budget as the admin API shows it.</summary>
public sealed record EmailLoginLockState(string Email, int ConsecutiveFailedCodes, int Budget, bool Locked, DateTimeOffset? LockedAt);
