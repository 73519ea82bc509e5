using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace AuthServer.Features.Webhooks;

/// <summary>
/// Standard Webhooks secrets and signatures. A secret is <c>whsec_</c> + base64 of 32 random bytes; the
/// signature of a message is <c>v1,</c> + base64(HMAC-SHA256(secret bytes, "{webhook-id}.{webhook-timestamp}.{body}")).
/// Secrets are kept encrypted with Data Protection (the dispatcher needs them in clear to sign).
/// </summary>
public sealed class WebhookSigner(IDataProtectionProvider dataProtection)
{
    public const string SecretPrefix = "whsec_";

    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.WebhookSecret.v1");

    public static string GenerateSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var signed = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signed);
    }
}
