using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace AuthServer.Hosting;

/// <summary>
/// The token signing and encryption keys. Production may load certificates from files (section "Keys");
/// otherwise RSA keys are generated and kept in the database, protected with Data Protection, so tokens
/// survive restarts and validate on every instance. Never ephemeral. The AES key for tokens only this server
/// reads and the HMAC key are always generated and kept there the same way.
/// Stored signing and token encryption keys rotate (<see cref="RotateAsync"/>): each rotation adds the next
/// generation, published at once and used from its activation time on; a retired signing key stays published
/// for <see cref="TokenOptions.RetiredSigningKeyRetention"/>, retired encryption keys keep decrypting. Every
/// instance reloads the rows every <see cref="TokenOptions.KeyRingRefreshInterval"/> (<see cref="KeyRingRefresher"/>)
/// and OpenIddict's options are rebuilt when the keys in use change (<see cref="KeyRingChangeTokenSource"/>).
/// </summary>
public sealed class ServerKeyRing(IOptions<KeyOptions> options, IOptions<TokenOptions> tokenOptions, IDataProtectionProvider dataProtection,
    TimeProvider clock, ILogger<ServerKeyRing> logger)
{
    public const string SigningUse = "signing";
    public const string EcSigningUse = "signing-es256"; // at most 16 characters (server_keys.Use)
    public const string EncryptionUse = "encryption";
    private const string HashingUse = "hashing";
    public const string TokenEncryptionUse = "token-aes"; // at most 16 characters (server_keys.Use)

    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.ServerKeys.v1");
    private readonly Dictionary<Guid, SecurityKey> unprotected = [];
    private readonly Lock gate = new();
    private CancellationTokenSource changed = new();
    private SecurityKey? certificateSigningKey;
    private SigningCredentials? ecAccessTokenSigning;
    private string version = "";

    /// <summary>The key that signs now.</summary>
    public SecurityKey? SigningKey { get; private set; }

    /// <summary>Every signing key in the JWKS: the current one, a next one waiting for its activation, retired ones still trusted.</summary>
    public IReadOnlyList<SecurityKey> PublishedSigningKeys { get; private set; } = [];

    /// <summary>
    /// The P-256 key that signs access tokens when <see cref="TokenOptions.AccessTokenSigningAlgorithm"/> is ES256
    /// (a tenth of an RSA-2048 signature's CPU). Always stored, rotated and published beside the RSA key, so
    /// switching the setting on never hands relying parties a key their cached JWKS lacks. Never signs identity tokens.
    /// </summary>
    public SecurityKey? EcSigningKey { get; private set; }

    /// <summary>The P-256 keys in the JWKS, by the same rules as <see cref="PublishedSigningKeys"/>.</summary>
    public IReadOnlyList<SecurityKey> PublishedEcSigningKeys { get; private set; } = [];

    public SecurityKey? EncryptionKey { get; private set; }

    /// <summary>
    /// A 256-bit key that encrypts the tokens only this server reads (authorization codes, refresh tokens):
    /// an AES key wrap instead of an RSA-OAEP unwrap, a private-key operation, on every redemption.
    /// <see cref="EncryptionKey"/> stays registered after it, so tokens issued before it still decrypt.
    /// </summary>
    public SymmetricSecurityKey? TokenEncryptionKey { get; private set; }

    /// <summary>Every generation of the token encryption key: a refresh token outlives a rotation.</summary>
    public IReadOnlyList<SymmetricSecurityKey> TokenDecryptionKeys { get; private set; } = [];

    /// <summary>
    /// Signs the tokens only this server reads (authorization codes, refresh tokens) with HMAC-SHA256 instead of
    /// RS256: a private-key RSA operation less per code and per rotation. Derived from
    /// <see cref="TokenEncryptionKey"/> (HKDF, its own label), so it rotates with it; never published.
    /// </summary>
    public SigningCredentials? InternalTokenSigning { get; private set; }

    /// <summary>The HMAC keys of every token encryption generation, which validate codes and refresh tokens issued before a rotation.</summary>
    public IReadOnlyList<SymmetricSecurityKey> InternalTokenValidationKeys { get; private set; } = [];

    /// <summary>
    /// A 256-bit secret key for HMAC of short secrets (5-digit codes): without it a leaked hash of a
    /// 5-digit code would be reversed by trying 100,000 values.
    /// </summary>
    public byte[] HashingKey { get; private set; } = [];

    public bool SigningFromCertificate => certificateSigningKey is not null;

    /// <summary>The access-token credentials the setting asks for: the P-256 key for ES256; null for RS256 (OpenIddict's first key, the RSA one).</summary>
    public SigningCredentials? AccessTokenSigning(TokenOptions options) => options.SignsAccessTokensWithEcdsa ? ecAccessTokenSigning : null;

    public async Task LoadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var keys = options.Value;
        certificateSigningKey = LoadCertificate(keys.SigningCertificatePath, keys.SigningCertificatePassword);
        if (certificateSigningKey is null)
        {
            await LoadOrCreateStoredKeyAsync(services, SigningUse, NewRsaKey, cancellationToken);
        }

        await LoadOrCreateStoredKeyAsync(services, EcSigningUse, NewEcKey, cancellationToken);

        EncryptionKey = LoadCertificate(keys.EncryptionCertificatePath, keys.EncryptionCertificatePassword)
            ?? ToRsaKey(await LoadOrCreateStoredKeyAsync(services, EncryptionUse, NewRsaKey, cancellationToken));
        if (keys.SigningCertificatePath is null && !services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            logger.LogWarning("Token keys come from the database (generated once). For production, configure Keys:SigningCertificatePath and Keys:EncryptionCertificatePath, and protect the Data Protection key ring with DataProtection:CertificatePath.");
        }

        HashingKey = (await LoadOrCreateStoredKeyAsync(services, HashingUse, () => RandomNumberGenerator.GetBytes(32), cancellationToken)).Bytes;
        await LoadOrCreateStoredKeyAsync(services, TokenEncryptionUse, () => RandomNumberGenerator.GetBytes(32), cancellationToken);
        await ReloadAsync(services.GetRequiredService<AuthDbContext>(), cancellationToken);
    }

    /// <summary>Signals OpenIddict's options to rebuild whenever the keys in use change.</summary>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(changed.Token);

    /// <summary>
    /// Reads the rotating keys from the database and works out which sign, encrypt and are published now.
    /// Returns true when that changed (then OpenIddict's options are rebuilt).
    /// </summary>
    public async Task<bool> ReloadAsync(AuthDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.ServerKeys.AsNoTracking()
            .Where(k => k.Use == SigningUse || k.Use == EcSigningUse || k.Use == TokenEncryptionUse)
            .OrderBy(k => k.Generation)
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var retention = tokenOptions.Value.RetiredSigningKeyRetention;

        lock (gate)
        {
            var signingRows = rows.Where(r => r.Use == SigningUse).ToList();
            SecurityKey signing;
            List<SecurityKey> published;
            if (certificateSigningKey is not null)
            {
                signing = certificateSigningKey;
                published = [certificateSigningKey];
            }
            else
            {
                (signing, published) = SigningGenerations(signingRows, now, retention, ToRsaKey);
            }

            var (ecSigning, ecPublished) = SigningGenerations(rows.Where(r => r.Use == EcSigningUse).ToList(), now, retention, ToEcKey);

            var aesRows = rows.Where(r => r.Use == TokenEncryptionUse).ToList();
            var aes = (SymmetricSecurityKey)KeyOf(CurrentOf(aesRows, now), ToAesKey);
            var decryption = aesRows.Select(row => (SymmetricSecurityKey)KeyOf(row, ToAesKey)).ToList();

            var next = string.Join(',', [signing.KeyId, ecSigning.KeyId, aes.KeyId, .. published.Select(k => k.KeyId), .. ecPublished.Select(k => k.KeyId), .. decryption.Select(k => k.KeyId)]);
            if (next == version)
            {
                return false;
            }

            var first = version.Length == 0;
            (SigningKey, PublishedSigningKeys, TokenEncryptionKey, TokenDecryptionKeys, version) = (signing, published, aes, decryption, next);
            (EcSigningKey, PublishedEcSigningKeys) = (ecSigning, ecPublished);
            ecAccessTokenSigning = new SigningCredentials(ecSigning, SecurityAlgorithms.EcdsaSha256);
            InternalTokenValidationKeys = [.. decryption.Select(InternalSigningKeyOf)];
            InternalTokenSigning = new SigningCredentials(InternalTokenValidationKeys[decryption.IndexOf(aes)], SecurityAlgorithms.HmacSha256);
            if (!first)
            {
                logger.LogInformation("Key ring changed: signing with {SigningKeyId}, publishing {Published}", signing.KeyId, string.Join(", ", published.Select(k => k.KeyId)));
                Interlocked.Exchange(ref changed, new CancellationTokenSource()).Cancel();
            }

            return !first;
        }
    }

    /// <summary>
    /// Creates the next signing key (unless it comes from a certificate) and token encryption key, active
    /// <see cref="TokenOptions.KeyPublicationLeadTime"/> from now. While a rotation is pending, another one adds
    /// nothing: one rotation, whichever instance or caller asked first (the unique (use, generation) index
    /// settles a race).
    /// </summary>
    public async Task<KeyRotation> RotateAsync(AuthDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var activatesAt = now + tokenOptions.Value.KeyPublicationLeadTime;
        var uses = SigningFromCertificate ? new[] { EcSigningUse, TokenEncryptionUse } : [SigningUse, EcSigningUse, TokenEncryptionUse];
        foreach (var use in uses)
        {
            var newest = await db.ServerKeys.AsNoTracking().Where(k => k.Use == use).OrderByDescending(k => k.Generation).FirstAsync(cancellationToken);
            if (newest.ActivatesAt > now)
            {
                continue;
            }

            var bytes = use switch
            {
                SigningUse => NewRsaKey(),
                EcSigningUse => NewEcKey(),
                _ => RandomNumberGenerator.GetBytes(32),
            };
            db.ServerKeys.Add(new ServerKey
            {
                Id = Guid.NewGuid(),
                Use = use,
                Generation = newest.Generation + 1,
                ProtectedKey = protector.Protect(Convert.ToBase64String(bytes)),
                Created = now,
                ActivatesAt = activatesAt,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another instance rotated at the same moment: its key is the next one.
                db.ChangeTracker.Clear();
            }
        }

        await ReloadAsync(db, cancellationToken);
        var pending = await db.ServerKeys.AsNoTracking().Where(k => k.Use == (SigningFromCertificate ? TokenEncryptionUse : SigningUse))
            .OrderByDescending(k => k.Generation).FirstAsync(cancellationToken);
        logger.LogInformation("Key rotation: the next keys are published and take over at {ActivatesAt}", pending.ActivatesAt);
        return new KeyRotation(SigningFromCertificate ? null : pending.Id.ToString("N"), pending.ActivatesAt);
    }

    /// <summary>
    /// The signing key of a use now, and the ones its JWKS publishes: the current generation, a next one waiting for
    /// its activation, and a retired one until <see cref="TokenOptions.RetiredSigningKeyRetention"/> after its successor took over.
    /// </summary>
    private (SecurityKey Current, List<SecurityKey> Published) SigningGenerations(List<ServerKey> rows, DateTimeOffset now, TimeSpan retention,
        Func<(Guid Id, byte[] Bytes), SecurityKey> create)
    {
        var current = CurrentOf(rows, now);
        return (KeyOf(current, create), [.. rows
            .Where((row, index) => row.Generation >= current.Generation || (index + 1 < rows.Count && rows[index + 1].ActivatesAt > now - retention))
            .Select(row => KeyOf(row, create))]);
    }

    /// <summary>The newest generation already active; the first one when none is (clock skew at first start).</summary>
    private static ServerKey CurrentOf(List<ServerKey> rows, DateTimeOffset now) =>
        rows.LastOrDefault(r => r.ActivatesAt <= now) ?? rows[0];

    private SecurityKey KeyOf(ServerKey row, Func<(Guid Id, byte[] Bytes), SecurityKey> create)
    {
        if (!unprotected.TryGetValue(row.Id, out var key))
        {
            key = create((row.Id, Convert.FromBase64String(protector.Unprotect(row.ProtectedKey))));
            unprotected[row.Id] = key;
        }

        return key;
    }

    private static byte[] NewRsaKey()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKey();
    }

    private static SecurityKey ToRsaKey((Guid Id, byte[] Bytes) stored)
    {
        var key = RSA.Create();
        key.ImportPkcs8PrivateKey(stored.Bytes, out _);
        return new RsaSecurityKey(key) { KeyId = stored.Id.ToString("N") };
    }

    private static byte[] NewEcKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ecdsa.ExportPkcs8PrivateKey();
    }

    private static SecurityKey ToEcKey((Guid Id, byte[] Bytes) stored)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(stored.Bytes, out _);
        return new ECDsaSecurityKey(key) { KeyId = stored.Id.ToString("N") };
    }

    private static SecurityKey ToAesKey((Guid Id, byte[] Bytes) stored) =>
        new SymmetricSecurityKey(stored.Bytes) { KeyId = stored.Id.ToString("N") };

    /// <summary>The HMAC key of a token encryption key: HKDF-SHA256 with its own label, so one secret never serves two algorithms.</summary>
    private static SymmetricSecurityKey InternalSigningKeyOf(SymmetricSecurityKey encryptionKey) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, encryptionKey.Key, 32, salt: [], info: "AuthServer internal token signing v1"u8.ToArray()))
        {
            KeyId = encryptionKey.KeyId + "-hs256",
        };

    private static SecurityKey? LoadCertificate(string? path, string? password)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The certificate file '{path}' configured under Keys does not exist. Fix the path or remove the setting to use database-stored keys.");
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The certificate '{path}' has no private key; tokens cannot be signed or decrypted with it.");
        }

        return new X509SecurityKey(certificate);
    }

    /// <summary>The first generation of a key, created at the first start (two instances racing: one wins).</summary>
    private async Task<(Guid Id, byte[] Bytes)> LoadOrCreateStoredKeyAsync(IServiceProvider services, string use, Func<byte[]> generate, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AuthDbContext>();
        var stored = await db.ServerKeys.AsNoTracking().Where(k => k.Use == use).OrderBy(k => k.Generation).FirstOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            var now = clock.GetUtcNow();
            var candidate = new ServerKey
            {
                Id = Guid.NewGuid(),
                Use = use,
                Generation = 1,
                ProtectedKey = protector.Protect(Convert.ToBase64String(generate())),
                Created = now,
                ActivatesAt = now,
            };
            db.ServerKeys.Add(candidate);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                logger.LogInformation("Generated the {Use} key {KeyId} and stored it in the database", use, candidate.Id);
                stored = candidate;
            }
            catch (DbUpdateException)
            {
                // Another instance starting at the same moment won the race: use its key.
                db.ChangeTracker.Clear();
                stored = await db.ServerKeys.AsNoTracking().Where(k => k.Use == use).OrderBy(k => k.Generation).FirstAsync(cancellationToken);
            }
        }

        return (stored.Id, Convert.FromBase64String(protector.Unprotect(stored.ProtectedKey)));
    }
}

/// <summary>The outcome of a rotation: the next signing key (null when signing comes from a certificate) and when it takes over.</summary>
public sealed record KeyRotation(string? SigningKeyId, DateTimeOffset ActivatesAt);

/// <summary>Hands the loaded keys to OpenIddict each time its options are built (at start, and after each key change).</summary>
public sealed class ConfigureOpenIddictKeys(ServerKeyRing keyRing) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        if (keyRing.SigningKey is null || keyRing.EcSigningKey is null || keyRing.EncryptionKey is null || keyRing.TokenEncryptionKey is null)
        {
            throw new InvalidOperationException("The token keys are not loaded yet: DatabaseInitializer.InitializeAsync must run before the server takes requests.");
        }

        // The first signing credential signs; all of them are published in the JWKS and validate.
        options.SigningCredentials.Add(new SigningCredentials(keyRing.SigningKey, SecurityAlgorithms.RsaSha256));
        foreach (var key in keyRing.PublishedSigningKeys.Where(k => k != keyRing.SigningKey))
        {
            options.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        }

        // The P-256 keys: published in the JWKS and validating; they sign access tokens only when the setting says
        // so (ConnectHandlers.ChooseSigningCredentials), never identity tokens (HideEcdsaFromIdTokenAlgorithms).
        options.SigningCredentials.Add(new SigningCredentials(keyRing.EcSigningKey, SecurityAlgorithms.EcdsaSha256));
        foreach (var key in keyRing.PublishedEcSigningKeys.Where(k => k != keyRing.EcSigningKey))
        {
            options.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256));
        }

        // Validate codes and refresh tokens signed with HMAC (ConnectHandlers.ChooseSigningCredentials). OpenIddict publishes only
        // asymmetric keys in the JWKS and discovery, and KeepCurrentKeysFirst keeps the RSA key first, so access and
        // identity tokens stay RS256.
        foreach (var key in keyRing.InternalTokenValidationKeys)
        {
            options.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
        }

        // The first credential encrypts; every one of them is tried when a token is decrypted.
        options.EncryptionCredentials.Add(new EncryptingCredentials(keyRing.TokenEncryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        foreach (var key in keyRing.TokenDecryptionKeys.Where(k => k != keyRing.TokenEncryptionKey))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(key, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        }

        options.EncryptionCredentials.Add(new EncryptingCredentials(keyRing.EncryptionKey, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}

/// <summary>
/// OpenIddict sorts its credentials after configuration (symmetric first, then certificates by expiry; equal
/// RSA keys in no guaranteed order). The first one is the one that signs or encrypts, so put ours back in front.
/// </summary>
public sealed class KeepCurrentKeysFirst(ServerKeyRing keyRing) : IPostConfigureOptions<OpenIddictServerOptions>
{
    public void PostConfigure(string? name, OpenIddictServerOptions options)
    {
        MoveToFront(options.SigningCredentials, c => c.Key == keyRing.SigningKey);
        MoveToFront(options.EncryptionCredentials, c => c.Key == keyRing.TokenEncryptionKey);
    }

    private static void MoveToFront<T>(List<T> items, Predicate<T> current)
    {
        var index = items.FindIndex(current);
        if (index > 0)
        {
            var item = items[index];
            items.RemoveAt(index);
            items.Insert(0, item);
        }
    }
}

/// <summary>Rebuilds OpenIddict's options (keys, JWKS) when the key ring changes.</summary>
public sealed class KeyRingChangeTokenSource(ServerKeyRing keyRing) : IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => keyRing.GetChangeToken();
}
