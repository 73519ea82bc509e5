using AuthServer.Data;
using AuthServer.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Passkeys;

/// <summary>
/// ASP.NET Core Identity's view of our users and passkey_credentials, as much as PasskeyHandler needs: a
/// user by id, a user's passkeys, the owner of a credential id. Users are created and changed by the login
/// flow (SignInCompleter), never through Identity, so the user write methods refuse. Passkey writes only
/// stage changes; the caller saves them with the rest of its sign-in.
/// Note: not scoped to one organization. User ids and credential ids are unique across the server (one
/// relying party id for every organization), so a passkey of another organization is still verified, and
/// only then reported as passkeyWrongOrganization: nobody learns that without holding the key.
/// </summary>
public sealed class PasskeyUserStore(AuthDbContext db) : IUserPasskeyStore<User>
{
    public Task<string> GetUserIdAsync(User user, CancellationToken cancellationToken) => Task.FromResult(user.Id.ToString());

    public Task<string?> GetUserNameAsync(User user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Email);

    public Task<string?> GetNormalizedUserNameAsync(User user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.NormalizedEmail);

    public async Task<User?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        Guid.TryParse(userId, out var id) ? await db.Users.FindAsync([id], cancellationToken) : null;

    public Task<User?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken) =>
        throw new NotSupportedException("An email address names a user only within one organization.");

    public Task SetUserNameAsync(User user, string? userName, CancellationToken cancellationToken) => throw ManagedElsewhere();

    public Task SetNormalizedUserNameAsync(User user, string? normalizedName, CancellationToken cancellationToken) => throw ManagedElsewhere();

    public Task<IdentityResult> CreateAsync(User user, CancellationToken cancellationToken) => throw ManagedElsewhere();

    public Task<IdentityResult> UpdateAsync(User user, CancellationToken cancellationToken) => throw ManagedElsewhere();

    public Task<IdentityResult> DeleteAsync(User user, CancellationToken cancellationToken) => throw ManagedElsewhere();

    public async Task AddOrUpdatePasskeyAsync(User user, UserPasskeyInfo passkey, CancellationToken cancellationToken)
    {
        var stored = await db.PasskeyCredentials.SingleOrDefaultAsync(p => p.CredentialId == passkey.CredentialId && p.UserId == user.Id, cancellationToken);
        if (stored is null)
        {
            stored = new PasskeyCredential { CredentialId = passkey.CredentialId, PublicKey = passkey.PublicKey, UserId = user.Id, OrganizationId = user.OrganizationId };
            db.PasskeyCredentials.Add(stored);
        }

        stored.PublicKey = passkey.PublicKey;
        stored.SignCount = passkey.SignCount;
        stored.Transports = passkey.Transports ?? [];
        stored.IsUserVerified = passkey.IsUserVerified;
        stored.IsBackupEligible = passkey.IsBackupEligible;
        stored.IsBackedUp = passkey.IsBackedUp;
        stored.AttestationObject = passkey.AttestationObject;
        stored.ClientDataJson = passkey.ClientDataJson;
        stored.Name = passkey.Name;
        stored.Created = passkey.CreatedAt;
    }

    public async Task<IList<UserPasskeyInfo>> GetPasskeysAsync(User user, CancellationToken cancellationToken) =>
        (await db.PasskeyCredentials.AsNoTracking().Where(p => p.UserId == user.Id).OrderBy(p => p.Created).ToListAsync(cancellationToken)).Select(ToInfo).ToList();

    public async Task<User?> FindByPasskeyIdAsync(byte[] credentialId, CancellationToken cancellationToken)
    {
        var owner = await db.PasskeyCredentials.Where(p => p.CredentialId == credentialId).Select(p => (Guid?)p.UserId).SingleOrDefaultAsync(cancellationToken);
        return owner is { } id ? await db.Users.FindAsync([id], cancellationToken) : null;
    }

    public async Task<UserPasskeyInfo?> FindPasskeyAsync(User user, byte[] credentialId, CancellationToken cancellationToken)
    {
        var stored = await db.PasskeyCredentials.AsNoTracking().SingleOrDefaultAsync(p => p.CredentialId == credentialId && p.UserId == user.Id, cancellationToken);
        return stored is null ? null : ToInfo(stored);
    }

    public Task RemovePasskeyAsync(User user, byte[] credentialId, CancellationToken cancellationToken) =>
        db.PasskeyCredentials.Where(p => p.CredentialId == credentialId && p.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Records a verified assertion: the new sign count, backup state and time of use. Conditional on the
    /// counter still being below the new value (or both zero, for authenticators without a counter), so two
    /// concurrent uses of one assertion cannot both pass; false when it lost that race.
    /// </summary>
    public async Task<bool> RecordUseAsync(UserPasskeyInfo passkey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long count = passkey.SignCount;
        var updated = await db.PasskeyCredentials
            .Where(p => p.CredentialId == passkey.CredentialId && (p.SignCount < count || (count == 0 && p.SignCount == 0)))
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.SignCount, count).SetProperty(p => p.IsBackedUp, passkey.IsBackedUp).SetProperty(p => p.LastUsed, now), cancellationToken);
        return updated == 1;
    }

    public void Dispose()
    {
        // The DbContext belongs to the request scope.
    }

    private static UserPasskeyInfo ToInfo(PasskeyCredential stored) =>
        new(stored.CredentialId, stored.PublicKey, stored.Created, (uint)stored.SignCount, stored.Transports, stored.IsUserVerified,
            stored.IsBackupEligible, stored.IsBackedUp, stored.AttestationObject ?? [], stored.ClientDataJson ?? [])
        {
            Name = stored.Name,
        };

    private static NotSupportedException ManagedElsewhere() => new("Users are created and changed by the login flow, not through ASP.NET Core Identity.");
}
