using AuthServer.Features.Audit;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Sessions;
using AuthServer.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthServer.Features.Admin;

public sealed record AdminUserView(
    Guid Id, Guid OrganizationId, string Email, bool Verified, bool Blocked,
    DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? LastLogin)
{
    public static AdminUserView From(User u) => new(u.Id, u.OrganizationId, u.Email, u.Verified, u.Blocked, u.Created, u.Updated, u.LastLogin);
}

public sealed class CreateUserRequest
{
    public string? Email { get; init; }
    public bool? Verified { get; init; }
    public bool? Blocked { get; init; }
}

/// <summary>PATCH /users/{id}: absent fields stay as they are.</summary>
public sealed class UpdateUserRequest
{
    public string? Email { get; init; }
    public bool? Verified { get; init; }
    public bool? Blocked { get; init; }
}

/// <summary>Users of one organization: email unique per organization, case-insensitively.</summary>
public sealed class UserAdmin(AuthDbContext db, SessionService sessions, AuditTrail audit, WebhookEvents webhooks, TimeProvider clock)
{
    private const string UniqueViolation = "23505";

    public async Task<Outcome<AdminUserView>> CreateAsync(AdminCaller caller, Guid organizationId, CreateUserRequest? request, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            return AuthError.EntityMissing("No organization with this id exists.");
        }

        if (string.IsNullOrWhiteSpace(request?.Email))
        {
            return AuthError.MissingFields("email");
        }

        if (CheckEmail(request.Email) is { } invalid)
        {
            return invalid;
        }

        var normalized = EmailAddress.Normalize(request.Email);
        if (await EmailTakenAsync(organizationId, normalized, null, cancellationToken))
        {
            return EmailExists();
        }

        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Email = request.Email.Trim(),
            NormalizedEmail = normalized,
            Verified = request.Verified ?? false,
            Blocked = request.Blocked ?? false,
            Created = now,
            Updated = now,
        };
        db.Users.Add(user);
        audit.Add(AuditActor.Of(caller), "user.create", AuditTrail.Targets.User, user.Id.ToString(), organizationId);
        await webhooks.AddAsync(db, organizationId, WebhookEventTypes.UserCreated, WebhookUser.From(user), cancellationToken);
        return await SaveAsync(user, cancellationToken);
    }

    public async Task<Outcome<AdminUserView>> GetAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var user = await FindAsync(caller, id, tracked: false, cancellationToken);
        return user.Failed ? user.Error! : AdminUserView.From(user.Value!);
    }

    public async Task<Outcome<AdminUserView>> GetByEmailAsync(AdminCaller caller, Guid organizationId, string? email, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(email))
        {
            return AuthError.MissingFields("email");
        }

        var normalized = EmailAddress.Normalize(email);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.OrganizationId == organizationId && u.NormalizedEmail == normalized, cancellationToken);
        return user is null ? AuthError.EntityMissing("No user with this email address exists in this organization.") : AdminUserView.From(user);
    }

    /// <summary>A page of the organization's users, oldest first; <paramref name="email"/> matches any part of the address.</summary>
    public async Task<Outcome<Page<AdminUserView>>> ListAsync(AdminCaller caller, Guid organizationId, string? email, PageQuery query, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            return AuthError.EntityMissing("No organization with this id exists.");
        }

        var users = db.Users.AsNoTracking().Where(u => u.OrganizationId == organizationId);
        if (!string.IsNullOrWhiteSpace(email))
        {
            var pattern = "%" + Like.Escape(EmailAddress.Normalize(email)) + "%";
            users = users.Where(u => EF.Functions.ILike(u.NormalizedEmail, pattern, "\\"));
        }

        return await users.OrderBy(u => u.Created).ThenBy(u => u.Id).ToPageAsync(paging.Value!, AdminUserView.From, cancellationToken);
    }

    public async Task<Outcome<AdminUserView>> UpdateAsync(AdminCaller caller, Guid id, UpdateUserRequest? request, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var user = found.Value!;
        if (request?.Email is { } email)
        {
            if (CheckEmail(email) is { } invalid)
            {
                return invalid;
            }

            var normalized = EmailAddress.Normalize(email);
            if (normalized != user.NormalizedEmail && await EmailTakenAsync(user.OrganizationId, normalized, user.Id, cancellationToken))
            {
                return EmailExists();
            }

            user.Email = email.Trim();
            user.NormalizedEmail = normalized;
        }

        var wasBlocked = user.Blocked;
        if (request?.Blocked == true && !wasBlocked && await IsAdministratorAsync(user.Id, cancellationToken) is { } administrator)
        {
            return administrator;
        }

        user.Verified = request?.Verified ?? user.Verified;
        user.Blocked = request?.Blocked ?? user.Blocked;
        user.Updated = clock.GetUtcNow();
        audit.Add(AuditActor.Of(caller), "user.update", AuditTrail.Targets.User, user.Id.ToString(), user.OrganizationId);
        await webhooks.AddAsync(db, user.OrganizationId, WebhookEventTypes.UserUpdated, WebhookUser.From(user), cancellationToken);
        if (user.Blocked && !wasBlocked)
        {
            await webhooks.AddAsync(db, user.OrganizationId, WebhookEventTypes.UserBlocked, WebhookUser.From(user), cancellationToken);
        }
        return await SaveAsync(user, cancellationToken);
    }

    /// <summary>Deletes the user; sessions and passkeys go with it (database cascades), ended first so their tokens die with them.</summary>
    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, tracked: false, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        if (await IsAdministratorAsync(id, cancellationToken) is { } administrator)
        {
            return administrator;
        }

        var active = await db.Sessions.Where(s => s.UserId == id && s.EndedAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var sessionId in active)
        {
            await sessions.EndAsync(sessionId, SessionAdmin.RevokedReason, cancellationToken);
        }

        // The deletion, its audit line and its webhook commit together.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Users.Where(u => u.Id == id).ExecuteDeleteAsync(cancellationToken);
        await webhooks.AddAsync(db, found.Value!.OrganizationId, WebhookEventTypes.UserDeleted, WebhookUser.From(found.Value!), cancellationToken);
        await audit.RecordAsync(AuditActor.Of(caller), "user.delete", AuditTrail.Targets.User, id.ToString(), found.Value!.OrganizationId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The checks before listing something of a user (sessions, passkeys): the page parameters are valid, the user
    /// exists and the caller may see its organization. Returns the page to read.
    /// </summary>
    public async Task<Outcome<Paging>> PageOfUserAsync(AdminCaller caller, Guid userId, PageQuery query, CancellationToken cancellationToken)
    {
        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        var user = await FindAsync(caller, userId, tracked: false, cancellationToken);
        return user.Failed ? user.Error! : paging.Value!;
    }

    /// <summary>The user, when it exists and the caller may see its organization.</summary>
    public async Task<Outcome<User>> FindAsync(AdminCaller caller, Guid id, bool tracked, CancellationToken cancellationToken)
    {
        var users = tracked ? db.Users : db.Users.AsNoTracking();
        var user = await users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return AuthError.EntityMissing("No user with this id exists.");
        }

        return caller.CheckAccess(user.OrganizationId) is { } denied ? denied : user;
    }

    private async Task<Outcome<AdminUserView>> SaveAsync(User user, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: UniqueViolation })
        {
            // Another request took the address between our check and our write.
            return EmailExists();
        }

        return AdminUserView.From(user);
    }

    /// <summary>
    /// Refuses to block or delete a console administrator here: the role is taken away first (the Administrators
    /// page or DELETE /api/v1/admin/administrators/{userId}), where the last global administrator stays (under a lock).
    /// </summary>
    private async Task<AuthError?> IsAdministratorAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Administrators.AnyAsync(a => a.UserId == userId, cancellationToken)
            ? AuthError.EntityInvalid("user", "This user is a console administrator. Remove the role first (the Administrators page, or DELETE /api/v1/admin/administrators/{userId}).")
            : null;

    private Task<bool> EmailTakenAsync(Guid organizationId, string normalized, Guid? except, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.OrganizationId == organizationId && u.NormalizedEmail == normalized && u.Id != except, cancellationToken);

    private static AuthError? CheckEmail(string email) =>
        EmailAddress.IsValid(email) ? null : AuthError.EntityInvalid("email", "Must be a valid email address.");

    private static AuthError EmailExists() =>
        AuthError.EntityInvalid("email", "A user with this email address already exists in this organization.");
}

/// <summary>ILIKE patterns from user text: the wildcards and the escape character taken literally.</summary>
public static class Like
{
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
