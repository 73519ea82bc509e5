using AuthServer.Features.Audit;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
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

public sealed class PasskeyAdmin(AuthDbContext db, UserAdmin users, AuditTrail audit, Webhooks.WebhookEvents webhooks)
{
    public const int NameMaxLength = 200;

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
        var name = request?.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return AuthError.MissingFields("name");
        }

        if (name.Length > NameMaxLength || name.Any(char.IsControl))
        {
            return AuthError.EntityInvalid("name", $"Must be 1 to {NameMaxLength} characters, without control characters.");
        }

        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var passkey = found.Value!;
        passkey.Name = name;
        audit.Add(AuditActor.Of(caller), "passkey.rename", AuditTrail.Targets.Passkey, id, passkey.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        return AdminPasskeyView.From(passkey);
    }

    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, string id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        db.PasskeyCredentials.Remove(found.Value!);
        audit.Add(AuditActor.Of(caller), "passkey.delete", AuditTrail.Targets.Passkey, id, found.Value!.OrganizationId);
        await webhooks.AddAsync(db, found.Value!.OrganizationId, Webhooks.WebhookEventTypes.PasskeyRemoved,
            new { userId = found.Value!.UserId, organizationId = found.Value!.OrganizationId, credentialId = id }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task<Outcome<PasskeyCredential>> FindAsync(AdminCaller caller, string id, CancellationToken cancellationToken)
    {
        byte[] credentialId;
        try
        {
            credentialId = WebEncoders.Base64UrlDecode(id);
        }
        catch (FormatException)
        {
            return Missing();
        }

        var passkey = credentialId.Length == 0 ? null : await db.PasskeyCredentials.SingleOrDefaultAsync(p => p.CredentialId == credentialId, cancellationToken);
        if (passkey is null)
        {
            return Missing();
        }

        return caller.CheckAccess(passkey.OrganizationId) is { } denied ? denied : passkey;
    }

    private static AuthError Missing() => AuthError.EntityMissing("No passkey with this id exists.");
}
