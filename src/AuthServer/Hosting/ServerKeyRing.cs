using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthServer.Data;
using AuthServer.Data.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace AuthServer.Hosting;

/// <summary>
/// The token signing and encryption keys. Production loads certificates from files (section "Keys");
/// otherwise an RSA key per use is generated once and kept in the database, protected with Data
/// Protection, so tokens survive restarts and validate on every instance. Never ephemeral. The AES key for
/// tokens only this server reads and the HMAC key are always generated once and kept there the same way.
/// </summary>
public sealed class ServerKeyRing(IOptions<KeyOptions> options, IDataProtectionProvider dataProtection, ILogger<ServerKeyRing> logger)
{
    private const string SigningUse = "signing";
    private const string EncryptionUse = "encryption";
    private const string HashingUse = "hashing";
    private const string TokenEncryptionUse = "token-aes"; // at most 16 characters (server_keys.Use)

    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.ServerKeys.v1");

    public SecurityKey? SigningKey { get; private set; }
    public SecurityKey? EncryptionKey { get; private set; }

    /// <summary>
    /// A 256-bit key that encrypts the tokens only this server reads (authorization codes, refresh tokens):
    /// an AES key wrap instead of an RSA-OAEP unwrap, a private-key operation, on every redemption.
    /// <see cref="EncryptionKey"/> stays registered after it, so tokens issued before it still decrypt.
    /// </summary>
    public SymmetricSecurityKey? TokenEncryptionKey { get; private set; }

    /// <summary>
    /// A 256-bit secret key for HMAC of short secrets (5-digit codes): without it a leaked hash of a
    /// 5-digit code would be reversed by trying 100,000 values.
    /// </summary>
    public byte[] HashingKey { get; private set; } = [];

    public async Task LoadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var keys = options.Value;
        SigningKey = LoadCertificate(keys.SigningCertificatePath, keys.SigningCertificatePassword)
            ?? ToRsaKey(await LoadOrCreateStoredKeyAsync(services, SigningUse, NewRsaKey, cancellationToken));
        EncryptionKey = LoadCertificate(keys.EncryptionCertificatePath, keys.EncryptionCertificatePassword)
            ?? ToRsaKey(await LoadOrCreateStoredKeyAsync(services, EncryptionUse, NewRsaKey, cancellationToken));
        if (keys.SigningCertificatePath is null && !services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            logger.LogWarning("Token keys come from the database (generated once). For production, configure Keys:SigningCertificatePath and Keys:EncryptionCertificatePath, and protect the Data Protection key ring with DataProtection:CertificatePath.");
        }

        HashingKey = (await LoadOrCreateStoredKeyAsync(services, HashingUse, () => RandomNumberGenerator.GetBytes(32), cancellationToken)).Bytes;
        var tokenKey = await LoadOrCreateStoredKeyAsync(services, TokenEncryptionUse, () => RandomNumberGenerator.GetBytes(32), cancellationToken);
        TokenEncryptionKey = new SymmetricSecurityKey(tokenKey.Bytes) { KeyId = tokenKey.Id.ToString("N") };
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

    private async Task<(Guid Id, byte[] Bytes)> LoadOrCreateStoredKeyAsync(IServiceProvider services, string use, Func<byte[]> generate, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AuthDbContext>();
        var stored = await db.ServerKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Use == use, cancellationToken);
        if (stored is null)
        {
            var candidate = new ServerKey
            {
                Id = Guid.NewGuid(),
                Use = use,
                ProtectedKey = protector.Protect(Convert.ToBase64String(generate())),
                Created = DateTimeOffset.UtcNow,
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
                stored = await db.ServerKeys.AsNoTracking().SingleAsync(k => k.Use == use, cancellationToken);
            }
        }

        return (stored.Id, Convert.FromBase64String(protector.Unprotect(stored.ProtectedKey)));
    }
}

/// <summary>Hands the loaded keys to OpenIddict when its options are first built (after start-up loaded them).</summary>
public sealed class ConfigureOpenIddictKeys(ServerKeyRing keyRing) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        if (keyRing.SigningKey is null || keyRing.EncryptionKey is null || keyRing.TokenEncryptionKey is null)
        {
            throw new InvalidOperationException("The token keys are not loaded yet: DatabaseInitializer.InitializeAsync must run before the server takes requests.");
        }

        options.SigningCredentials.Add(new SigningCredentials(keyRing.SigningKey, SecurityAlgorithms.RsaSha256));
        // The first credential encrypts; every one of them is tried when a token is decrypted.
        options.EncryptionCredentials.Add(new EncryptingCredentials(keyRing.TokenEncryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        options.EncryptionCredentials.Add(new EncryptingCredentials(keyRing.EncryptionKey, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
