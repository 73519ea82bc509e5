using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Features.Webhooks;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Passkeys;

/// <summary>
/// Renaming and removing a passkey, the same whoever does it: its owner on the account page or an administrator.
/// Each change is audited with the given actor; a removal queues <c>passkey.removed</c>. The callers find the
/// passkey under their own rules (the owner only their own, an administrator within their reach).
/// </summary>
public sealed class PasskeyChanges(AuthDbContext db, AuditTrail audit, WebhookEvents webhooks)
{
    public const int NameMaxLength = 200;

    /// <summary>The trimmed name, or why it cannot be one.</summary>
    public static Outcome<string> ValidName(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return AuthError.MissingFields("name");
        }

        return trimmed.Length > NameMaxLength || trimmed.Any(char.IsControl)
            ? AuthError.EntityInvalid("name", $"Must be 1 to {NameMaxLength} characters, without control characters.")
            : trimmed;
    }

    /// <summary>The passkey with this base64url credential id that <paramref name="scope"/> allows; null for an unreadable id.</summary>
    public async Task<PasskeyCredential?> FindAsync(string? id, Func<IQueryable<PasskeyCredential>, IQueryable<PasskeyCredential>> scope, CancellationToken cancellationToken)
    {
        byte[] credentialId;
        try
        {
            credentialId = WebEncoders.Base64UrlDecode(id ?? "");
        }
        catch (FormatException)
        {
            return null;
        }

        return credentialId.Length == 0 ? null
            : await scope(db.PasskeyCredentials).SingleOrDefaultAsync(p => p.CredentialId == credentialId, cancellationToken);
    }

    public async Task RenameAsync(PasskeyCredential passkey, string validName, AuditActor actor, CancellationToken cancellationToken)
    {
        passkey.Name = validName;
        audit.Add(actor, "passkey.rename", AuditTrail.Targets.Passkey, IdOf(passkey), passkey.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task RemoveAsync(PasskeyCredential passkey, AuditActor actor, CancellationToken cancellationToken)
    {
        var id = IdOf(passkey);
        db.PasskeyCredentials.Remove(passkey);
        audit.Add(actor, "passkey.delete", AuditTrail.Targets.Passkey, id, passkey.OrganizationId);
        await webhooks.AddAsync(db, passkey.OrganizationId, WebhookEventTypes.PasskeyRemoved,
            new { userId = passkey.UserId, organizationId = passkey.OrganizationId, credentialId = id }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string IdOf(PasskeyCredential passkey) => WebEncoders.Base64UrlEncode(passkey.CredentialId);
}
