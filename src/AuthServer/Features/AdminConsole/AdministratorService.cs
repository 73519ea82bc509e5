using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Features.Login;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.AdminConsole;

/// <summary>An administrator as the command line reports it.</summary>
public sealed record AdministratorView(Guid UserId, string Email, bool IsGlobal, IReadOnlyList<Guid> OrganizationIds);

/// <summary>
/// Who may use the console: users of the system organization with an <see cref="Administrator"/> row. The
/// user itself is created by <see cref="UserAdmin"/> (the admin API's rules for an email address), so this
/// class only adds the role.
/// </summary>
public sealed class AdministratorService(AuthDbContext db, UserAdmin users, AuditTrail audit, TimeProvider clock)
{
    /// <summary>
    /// Makes the address an administrator: global when <paramref name="organizationIds"/> is empty, otherwise
    /// of those organizations (each must exist). Adding an existing administrator replaces their role.
    /// </summary>
    public async Task<Outcome<AdministratorView>> AddAsync(AdminCaller caller, string? email, IReadOnlyList<Guid> organizationIds, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        var missing = organizationIds.Except(await db.Organizations.Where(o => organizationIds.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken)).ToList();
        if (missing.Count > 0)
        {
            return AuthError.EntityInvalid("organization", $"No organization with the id {missing[0]} exists.");
        }

        var user = await users.GetByEmailAsync(caller, SystemOrganization.Id, email, cancellationToken);
        if (user.Failed && user.Error!.Code == ErrorCatalog.EntityMissing.Code)
        {
            user = await users.CreateAsync(caller, SystemOrganization.Id, new CreateUserRequest { Email = email, Verified = true }, cancellationToken);
        }

        if (user.Failed)
        {
            return user.Error!;
        }

        var now = clock.GetUtcNow();
        var role = await db.Administrators.SingleOrDefaultAsync(a => a.UserId == user.Value!.Id, cancellationToken);
        if (role is null)
        {
            role = new Administrator { UserId = user.Value!.Id, Created = now };
            db.Administrators.Add(role);
        }

        role.IsGlobal = organizationIds.Count == 0;
        role.OrganizationIds = [.. organizationIds.Distinct()];
        role.Updated = now;
        audit.Add(AuditActor.Of(caller), "administrator.add", AuditTrail.Targets.User, role.UserId.ToString(), SystemOrganization.Id);
        await db.SaveChangesAsync(cancellationToken);
        return new AdministratorView(role.UserId, user.Value!.Email, role.IsGlobal, role.OrganizationIds);
    }

    /// <summary>The console caller a signed-in user of the system organization is, or null when they are no administrator.</summary>
    public async Task<AdminCaller?> FindCallerAsync(Guid userId, string? ip, CancellationToken cancellationToken)
    {
        var role = await db.Administrators.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        return role is null ? null : AdminCaller.Administrator(userId, role.IsGlobal ? null : role.OrganizationIds, ip);
    }
}
