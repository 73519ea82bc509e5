using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Features.Login;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.AdminConsole;

/// <summary>An administrator as the command line and the console's Administrators page show it.</summary>
public sealed record AdministratorView(Guid UserId, string Email, bool IsGlobal, IReadOnlyList<Guid> OrganizationIds, DateTimeOffset Created);

/// <summary>
/// Who may use the console: users of the system organization with an <see cref="Administrator"/> row. The
/// user itself is created by <see cref="UserAdmin"/> (the admin API's rules for an email address), so this
/// class only adds the role.
/// </summary>
public sealed class AdministratorService(AuthDbContext db, UserAdmin users, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Where a role's shape is refused: the admin API's body field and the console form's checkboxes.</summary>
    public const string OrganizationIdsField = "organizationIds";

    /// <summary>
    /// Makes the address an administrator: global, or of the listed organizations (each must exist); one of the
    /// two, never both and never neither, so re-scoping someone and forgetting the list cannot make them global.
    /// Adding an existing administrator replaces their role.
    /// </summary>
    public async Task<Outcome<AdministratorView>> AddAsync(AdminCaller caller, string? email, bool isGlobal, IReadOnlyList<Guid> organizationIds,
        CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        if (isGlobal == organizationIds.Count > 0)
        {
            return AuthError.EntityInvalid(OrganizationIdsField, isGlobal
                ? "Choose either Global or organizations, not both."
                : "Choose the organizations this administrator manages, or Global.");
        }

        // A scoped administrator of the administrators' own organization could change the address of a global
        // administrator and sign in as them; whoever is to manage it is made global (AdminCaller drops it too).
        if (organizationIds.Contains(SystemOrganization.Id))
        {
            return AuthError.EntityInvalid("organization", "The administrators' organization is not given to a scoped administrator; make them global instead.");
        }

        var missing = organizationIds.Except(await db.Organizations.Where(o => organizationIds.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken)).ToList();
        if (missing.Count > 0)
        {
            return AuthError.EntityInvalid("organization", $"No organization with the id {missing[0]} exists.");
        }

        var user = await FindOrCreateUserAsync(caller, email, cancellationToken);
        if (user.Failed)
        {
            return user.Error!;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var globals = await LockGlobalAdministratorsAsync(cancellationToken);
        if (StillGlobal(caller, globals) is { } demoted)
        {
            return demoted;
        }

        await LockUserAsync(user.Value!.Id, cancellationToken);

        var role = globals.SingleOrDefault(a => a.UserId == user.Value!.Id)
            ?? await db.Administrators.SingleOrDefaultAsync(a => a.UserId == user.Value!.Id, cancellationToken);
        if (role is { IsGlobal: true } && organizationIds.Count > 0 && KeepsGlobalAdministrator(caller, role.UserId, globals) is { } kept)
        {
            return kept;
        }

        var now = clock.GetUtcNow();
        if (role is null)
        {
            role = new Administrator { UserId = user.Value!.Id, Created = now };
            db.Administrators.Add(role);
        }

        role.IsGlobal = isGlobal;
        role.OrganizationIds = [.. organizationIds.Distinct()];
        role.Updated = now;
        audit.Add(AuditActor.Of(caller), "administrator.add", AuditTrail.Targets.User, role.UserId.ToString(), SystemOrganization.Id);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new AdministratorView(role.UserId, user.Value!.Email, role.IsGlobal, role.OrganizationIds, role.Created);
    }

    /// <summary>Every administrator, by address (a handful of rows, so no paging). Only a global caller may see them.</summary>
    public async Task<Outcome<IReadOnlyList<AdministratorView>>> ListAsync(AdminCaller caller, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        var rows = await ByAddress().ToListAsync(cancellationToken);
        return rows.Select(r => r.View()).ToList();
    }

    /// <summary>The admin API's list: the same rows in its paging shape.</summary>
    public async Task<Outcome<Page<AdministratorView>>> ListAsync(AdminCaller caller, PageQuery query, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        var paging = query.Validate();
        return paging.Failed ? paging.Error! : await ByAddress().ToPageAsync(paging.Value!, r => r.View(), cancellationToken);
    }

    private IQueryable<RoleWithAddress> ByAddress() =>
        db.Administrators.AsNoTracking()
            .Join(db.Users, role => role.UserId, user => user.Id, (role, user) => new RoleWithAddress { Role = role, Email = user.Email })
            .OrderBy(r => r.Email).ThenBy(r => r.Role.UserId);

    private sealed class RoleWithAddress
    {
        public required Administrator Role { get; init; }

        public required string Email { get; init; }

        public AdministratorView View() => new(Role.UserId, Email, Role.IsGlobal, Role.OrganizationIds, Role.Created);
    }

    /// <summary>
    /// Takes the role away (the user stays, with their passkeys, and simply can no longer open the console: the
    /// role is read on every console request). Nobody removes their own role, and the last global administrator
    /// stays: the global rows are locked first, so two administrators removing each other at once cannot leave none.
    /// </summary>
    public async Task<Outcome<bool>> RemoveAsync(AdminCaller caller, Guid userId, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var globals = await LockGlobalAdministratorsAsync(cancellationToken);
        if (StillGlobal(caller, globals) is { } demoted)
        {
            return demoted;
        }

        await LockUserAsync(userId, cancellationToken);
        var role = globals.SingleOrDefault(a => a.UserId == userId)
            ?? await db.Administrators.SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        if (role is null)
        {
            return AuthError.EntityMissing("No administrator with this user id exists.");
        }

        if (IsSelf(caller, userId))
        {
            return AuthError.EntityInvalid("administrator", "You cannot remove your own role. Ask another global administrator.");
        }

        if (role.IsGlobal && KeepsGlobalAdministrator(caller, userId, globals) is { } kept)
        {
            return kept;
        }

        db.Administrators.Remove(role);
        audit.Add(AuditActor.Of(caller), "administrator.remove", AuditTrail.Targets.User, userId.ToString(), SystemOrganization.Id);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The global administrators, locked until the caller's transaction ends: whoever demotes or removes one
    /// counts them under this lock, so two administrators doing it to each other at once cannot leave none.
    /// </summary>
    private Task<List<Administrator>> LockGlobalAdministratorsAsync(CancellationToken cancellationToken) =>
        db.Administrators.FromSql($"SELECT * FROM administrators WHERE \"IsGlobal\" ORDER BY \"UserId\" FOR UPDATE").ToListAsync(cancellationToken);

    /// <summary>
    /// The administrator's user row, locked after the global rows (always in that order): two requests adding,
    /// re-scoping or removing the same person's role take turns, so neither inserts a role the other just
    /// inserted nor updates one the other just deleted.
    /// </summary>
    private Task LockUserAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE \"Id\" = {userId} FOR UPDATE", cancellationToken);

    /// <summary>The person's user in the administrators' organization, created when new (verified: they sign in with their email).</summary>
    private async Task<Outcome<AdminUserView>> FindOrCreateUserAsync(AdminCaller caller, string? email, CancellationToken cancellationToken)
    {
        var found = await users.GetByEmailAsync(caller, SystemOrganization.Id, email, cancellationToken);
        if (!found.Failed || found.Error!.Code != ErrorCatalog.EntityMissing.Code)
        {
            return found;
        }

        var created = await users.CreateAsync(caller, SystemOrganization.Id, new CreateUserRequest { Email = email, Verified = true }, cancellationToken);
        if (!created.Failed)
        {
            return created;
        }

        // Another request made the same person an administrator a moment ago and created the user: theirs it is.
        db.ChangeTracker.Clear();
        var again = await users.GetByEmailAsync(caller, SystemOrganization.Id, email, cancellationToken);
        return again.Failed ? created : again;
    }

    /// <summary>The console caller's role was read when the request began; under the lock it must still be global.</summary>
    private static AuthError? StillGlobal(AdminCaller caller, List<Administrator> globals) =>
        caller.ActorType == AdminCaller.AdministratorActorType && !globals.Any(g => g.UserId.ToString() == caller.ActorId)
            ? AuthError.NoPermission("Only a global API key or administrator may do this.")
            : null;

    private static bool IsSelf(AdminCaller caller, Guid userId) =>
        caller.ActorType == AdminCaller.AdministratorActorType && caller.ActorId == userId.ToString();

    /// <summary>
    /// Refuses to take a global role away from the caller themselves or from the last global administrator, in
    /// the console and the admin API alike. The command line may demote (whoever runs it owns the server, and it
    /// is the way back in).
    /// </summary>
    private static AuthError? KeepsGlobalAdministrator(AdminCaller caller, Guid userId, List<Administrator> globals) =>
        caller.ActorType == AdminCaller.CommandLineActorType ? null
        : IsSelf(caller, userId) ? AuthError.EntityInvalid("administrator", "You cannot take away your own global role. Ask another global administrator.")
        : globals.Count <= 1 ? AuthError.EntityInvalid("administrator", "The last global administrator keeps the global role. Make another one global first.")
        : null;

    /// <summary>The console caller a signed-in user of the system organization is, or null when they are no administrator.</summary>
    public async Task<AdminCaller?> FindCallerAsync(Guid userId, string? ip, CancellationToken cancellationToken)
    {
        var role = await db.Administrators.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        return role is null ? null : AdminCaller.Administrator(userId, role.IsGlobal ? null : role.OrganizationIds, ip);
    }
}
