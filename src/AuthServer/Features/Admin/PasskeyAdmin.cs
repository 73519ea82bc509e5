using AuthServer.Features.Audit;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Passkeys;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

/// <summary>A registered passkey; <c>id</c> is the WebAuthn credential id in base64url.</summary>
public sealed record AdminPasskeyView(
    string Id, Guid UserId, Guid OrganizationId, string? Name, IReadOnlyList<string> Transports,
    bool IsUserVerified, bool IsBackupEligible, bool IsBackedUp, DateTimeOffset Created, DateTimeOffset? LastUsed)
{
    public static AdminPasskeyView From(PasskeyCredential p) => new(
        WebEncoders.Base64UrlEncode(p.CredentialId), p.UserId, p.OrganizationId, p.Name, p.Transports,
        p.IsUserVerified, p.IsBackupEligible, p.IsBackedUp, p.Created, p.LastUsed);
}

public sealed class RenamePasskeyRequest
{
    public string? Name { get; init; }
}

public sealed class PasskeyAdmin(AuthDbContext db, UserAdmin users, PasskeyChanges changes)
{
    public async Task<Outcome<Page<AdminPasskeyView>>> ListAsync(AdminCaller caller, Guid userId, PageQuery query, CancellationToken cancellationToken)
    {
        var paging = await users.PageOfUserAsync(caller, userId, query, cancellationToken);
        if (paging.Failed)
        {
            return paging.Error!;
        }

        return await db.PasskeyCredentials.AsNoTracking().Where(p => p.UserId == userId)
            .OrderBy(p => p.Created).ThenBy(p => p.CredentialId)
            .ToPageAsync(paging.Value!, AdminPasskeyView.From, cancellationToken);
    }

    public async Task<Outcome<AdminPasskeyView>> RenameAsync(AdminCaller caller, string id, RenamePasskeyRequest? request, CancellationToken cancellationToken)
    {
        var name = PasskeyChanges.ValidName(request?.Name);
        if (name.Failed)
        {
            return name.Error!;
        }

        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        await changes.RenameAsync(found.Value!, name.Value!, AuditActor.Of(caller), cancellationToken);
        return AdminPasskeyView.From(found.Value!);
    }

    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, string id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        await changes.RemoveAsync(found.Value!, AuditActor.Of(caller), cancellationToken);
        return true;
    }

    private async Task<Outcome<PasskeyCredential>> FindAsync(AdminCaller caller, string id, CancellationToken cancellationToken)
    {
        var passkey = await changes.FindAsync(id, all => all, cancellationToken);
        if (passkey is null)
        {
            return AuthError.EntityMissing("No passkey with this id exists.");
        }

        return caller.CheckAccess(passkey.OrganizationId) is { } denied ? denied : passkey;
    }
}
