using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Organizations;

/// <summary>
/// Client secrets: generated with 192 bits of entropy as 32 base64url characters (exactly the 32-byte key
/// that A256GCM needs when an app decrypts tokens with the UTF-8 bytes of its secret), and encrypted at rest.
/// </summary>
public sealed class OrganizationSecrets(IDataProtectionProvider dataProtection)
{
    public const int SecretLength = 32;

    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.OrganizationSecret.v1");

    public static string Generate() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);
}
