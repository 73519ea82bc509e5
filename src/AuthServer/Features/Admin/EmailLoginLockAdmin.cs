using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Features.Login;
using AuthServer.Features.Login.Lockout;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

public sealed class UnlockEmailLoginRequest
{
    public string? Email { get; init; }
}

/// <summary>
/// An address's budget of consecutive wrong codes (<see cref="EmailLoginLocks"/>): how much is spent, and the
/// administrator's unlock, which gives the whole budget back. By address, not user: a locked address may have no
/// account yet.
/// </summary>
public sealed class EmailLoginLockAdmin(AuthDbContext db, EmailLoginLocks locks, AuditTrail audit)
{
    public async Task<Outcome<EmailLoginLockState>> GetAsync(AdminCaller caller, Guid organizationId, string? email, CancellationToken cancellationToken)
    {
        var address = await CheckAsync(caller, organizationId, email, cancellationToken);
        return address.Failed ? address.Error! : await locks.StateAsync(organizationId, address.Value!, cancellationToken);
    }

    public async Task<Outcome<EmailLoginLockState>> UnlockAsync(AdminCaller caller, Guid organizationId, UnlockEmailLoginRequest? request, CancellationToken cancellationToken)
    {
        var address = await CheckAsync(caller, organizationId, request?.Email, cancellationToken);
        if (address.Failed)
        {
            return address.Error!;
        }

        await locks.ResetAsync(organizationId, address.Value!, cancellationToken);
        await audit.RecordAsync(AuditActor.Of(caller), EmailLoginLocks.UnlockAction, EmailLoginLocks.AuditTarget, address.Value, organizationId, cancellationToken);
        return await locks.StateAsync(organizationId, address.Value!, cancellationToken);
    }

    private async Task<Outcome<string>> CheckAsync(AdminCaller caller, Guid organizationId, string? email, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(email))
        {
            return AuthError.MissingFields("email");
        }

        if (!EmailAddress.IsValid(email))
        {
            return AuthError.EntityInvalid("email", "Must be a valid email address.");
        }

        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            return AuthError.EntityMissing("No organization with this id exists.");
        }

        return EmailAddress.Normalize(email);
    }
}

public static class EmailLoginLockEndpoints
{
    public static RouteGroupBuilder MapEmailLoginLockAdmin(this RouteGroupBuilder admin)
    {
        var locks = admin.MapGroup("/organizations/{organizationId:guid}/email_login_lock").WithTags("Users");
        locks.MapGet("", GetAsync).WithName("GetEmailLoginLock")
            .WithSummary("An address's consecutive wrong codes, its budget (Login:MaxConsecutiveFailedCodes) and whether code and link sign-in is locked for it.");
        locks.MapPost("/unlock", UnlockAsync).WithName("UnlockEmailLogin")
            .WithSummary("Gives an address its whole budget of wrong codes back, so it can sign in by code or link again; audited as emailLogin.unlock.");
        return admin;
    }

    private static async Task<Results<Ok<EmailLoginLockState>, AdminError>> GetAsync(
        Guid organizationId, string? email, AdminCaller caller, EmailLoginLockAdmin locks, CancellationToken cancellationToken) =>
        (await locks.GetAsync(caller, organizationId, email, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<EmailLoginLockState>, AdminError>> UnlockAsync(
        Guid organizationId, UnlockEmailLoginRequest? body, AdminCaller caller, EmailLoginLockAdmin locks, CancellationToken cancellationToken) =>
        (await locks.UnlockAsync(caller, organizationId, body, cancellationToken)).RespondOk();
}
