using System.Security.Cryptography;
using System.Text;
using AuthServer.Hosting;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Login;

/// <summary>
/// Short-lived secrets of the sign-in: emailed codes, link tokens, authorization codes. Only their HMAC
/// (keyed with the server's hashing key) is stored, and comparisons are constant time.
/// </summary>
public sealed class LoginSecrets(ServerKeyRing keys)
{
    /// <summary>A 5-digit code, uniformly random.</summary>
    public static string NewCode() => RandomNumberGenerator.GetInt32(0, 100_000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A 256-bit token for links and authorization codes.</summary>
    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>HMAC of a secret; <paramref name="context"/> binds it to where it was issued (an attempt id).</summary>
    public byte[] Hash(string secret, string context = "") =>
        HMACSHA256.HashData(keys.HashingKey, Encoding.UTF8.GetBytes(context + "\n" + secret));

    public bool Matches(byte[] storedHash, string presented, string context = "") =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(presented, context));
}
