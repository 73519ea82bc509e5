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
/// Protection, so tokens survive restarts and validate on every instance. Never ephemeral.
/// </summary>
public sealed class ServerKeyRing(IOptions<KeyOptions> options, IDataProtectionProvider dataProtection, ILogger<ServerKeyRing> logger)
{
    private const string SigningUse = "signing";
    private const string EncryptionUse = "encryption";

    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.ServerKeys.v1");

    public SecurityKey? SigningKey { get; private set; }
    public SecurityKey? EncryptionKey { get; private set; }

    public async Task LoadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var keys = options.Value;
        SigningKey = LoadCertificate(keys.SigningCertificatePath, keys.SigningCertificatePassword)
            ?? await LoadOrCreateStoredKeyAsync(services, SigningUse, cancellationToken);
        EncryptionKey = LoadCertificate(keys.EncryptionCertificatePath, keys.EncryptionCertificatePassword)
            ?? await LoadOrCreateStoredKeyAsync(services, EncryptionUse, cancellationToken);
    }

    private static X509SecurityKey? LoadCertificate(string? path, string? password)
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

    private async Task<SecurityKey> LoadOrCreateStoredKeyAsync(IServiceProvider services, string use, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<AuthDbContext>();
        var stored = await db.ServerKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Use == use, cancellationToken);
        if (stored is null)
        {
            using var rsa = RSA.Create(2048);
            var candidate = new ServerKey
            {
                Id = Guid.NewGuid(),
                Use = use,
                ProtectedKey = protector.Protect(Convert.ToBase64String(rsa.ExportPkcs8PrivateKey())),
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

        var key = RSA.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(protector.Unprotect(stored.ProtectedKey)), out _);
        return new RsaSecurityKey(key) { KeyId = stored.Id.ToString("N") };
    }
}

/// <summary>Hands the loaded keys to OpenIddict when its options are first built (after start-up loaded them).</summary>
public sealed class ConfigureOpenIddictKeys(ServerKeyRing keyRing) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        if (keyRing.SigningKey is null || keyRing.EncryptionKey is null)
        {
            throw new InvalidOperationException("The token keys are not loaded yet: DatabaseInitializer.InitializeAsync must run before the server takes requests.");
        }

        options.SigningCredentials.Add(new SigningCredentials(keyRing.SigningKey, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(keyRing.EncryptionKey, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
