using AuthServer.Features.Audit;
using System.Security.Cryptography;
using System.Text;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

public sealed record ApiKeyView(Guid Id, string Name, string Prefix, Guid? OrganizationId, DateTimeOffset Created, DateTimeOffset? LastUsed)
{
    public static ApiKeyView From(ApiKey key) => new(key.Id, key.Name, key.Prefix, key.OrganizationId, key.Created, key.LastUsed);
}

/// <summary>A new key and the one time it is seen in clear.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, Guid? OrganizationId, DateTimeOffset Created, string Key);

public sealed class CreateApiKeyRequest
{
    public string? Name { get; init; }

    /// <summary>Null for a global key; otherwise the one organization the key may touch.</summary>
    public Guid? OrganizationId { get; init; }
}

/// <summary>
/// Admin API keys: "ak_" and 32 random bytes in base64url, shown once, stored only as SHA-256 (a key has
/// 256 bits of entropy, so a fast hash is enough and lets a request find its key by a unique index).
/// </summary>
public sealed class ApiKeyService(AuthDbContext db, AuditTrail audit, TimeProvider clock)
{
    public const string KeyPrefix = "ak_";
    public const int NameMaxLength = 200;

    /// <summary>LastUsed is written at most this often per key, never once per request.</summary>
    public static readonly TimeSpan LastUsedWriteInterval = TimeSpan.FromSeconds(60);

    private static readonly int KeyLength = KeyPrefix.Length + 43;

    public static string Generate() => KeyPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Creates a key for an admin caller (the admin API, the console): global callers only.</summary>
    public async Task<Outcome<CreatedApiKey>> CreateAsync(AdminCaller caller, string? name, Guid? organizationId, CancellationToken cancellationToken) =>
        caller.CheckGlobal() is { } denied ? denied : await CreateAsync(name, organizationId, AuditActor.Of(caller), cancellationToken);

    /// <summary>Creates a key; <paramref name="actor"/> is who asked (for the audit log).</summary>
    public async Task<Outcome<CreatedApiKey>> CreateAsync(string? name, Guid? organizationId, AuditActor actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return AuthError.MissingFields("name");
        }

        if (name.Trim().Length > NameMaxLength)
        {
            return AuthError.EntityInvalid("name", $"At most {NameMaxLength} characters.");
        }

        if (organizationId == AdminConsole.SystemOrganization.Id)
        {
            return AuthError.EntityInvalid("organizationId", "A key for the administrators' organization must be global.");
        }

        if (organizationId is { } scoped && !await db.Organizations.AnyAsync(o => o.Id == scoped, cancellationToken))
        {
            return AuthError.EntityInvalid("organizationId", "No organization with this id exists.");
        }

        var key = Generate();
        var apiKey = new ApiKey
        {
            Id = Guid.NewGuid(),
            Name = name.Trim(),
            KeyHash = Hash(key),
            Prefix = key[..(KeyPrefix.Length + 8)],
            OrganizationId = organizationId,
            Created = clock.GetUtcNow(),
        };
        db.ApiKeys.Add(apiKey);
        audit.Add(actor, "apiKey.create", AuditTrail.Targets.ApiKey, apiKey.Id.ToString(), organizationId);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(apiKey.Id, apiKey.Name, apiKey.Prefix, apiKey.OrganizationId, apiKey.Created, key);
    }

    public async Task<Outcome<Page<ApiKeyView>>> ListAsync(AdminCaller caller, PageQuery query, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        return await db.ApiKeys.AsNoTracking().OrderBy(k => k.Created).ThenBy(k => k.Id)
            .ToPageAsync(paging.Value!, ApiKeyView.From, cancellationToken);
    }

    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return AuthError.EntityMissing("No API key with this id exists.");
        }

        db.ApiKeys.Remove(key);
        audit.Add(AuditActor.Of(caller), "apiKey.delete", AuditTrail.Targets.ApiKey, id.ToString(), key.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Finds the key presented in <c>Authorization: Bearer</c>: tokenMissing without one, tokenInvalid for
    /// anything malformed or unknown.
    /// </summary>
    public async Task<Outcome<ApiKey>> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return AuthError.TokenMissing();
        }

        // Cheap shape check first: garbage costs no query.
        if (presented.Length != KeyLength || !presented.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return AuthError.TokenInvalid();
        }

        var hash = Hash(presented);
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
        // Note: the lookup compares hashes of a 256-bit secret through a unique index; nothing about the
        // key leaks through its timing. The constant-time check below only keeps secrets away from ==.
        if (key is null || !CryptographicOperations.FixedTimeEquals(key.KeyHash, hash))
        {
            return AuthError.TokenInvalid();
        }

        await TouchAsync(key, cancellationToken);
        return key;
    }

    /// <summary>Coalesced: one conditional UPDATE per key per interval, harmless with several writers.</summary>
    private async Task TouchAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (key.LastUsed is { } last && now - last < LastUsedWriteInterval)
        {
            return;
        }

        var threshold = now - LastUsedWriteInterval;
        await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsed == null || k.LastUsed < threshold))
            .ExecuteUpdateAsync(u => u.SetProperty(k => k.LastUsed, now), cancellationToken);
        key.LastUsed = now;
    }
}
