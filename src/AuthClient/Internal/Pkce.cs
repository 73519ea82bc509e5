using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Client.Internal;

/// <summary>PKCE (RFC 7636) S256 pairs and random states, from a cryptographic random source.</summary>
internal static class Pkce
{
    /// <summary>43 base64url characters: 256 bits of randomness, within RFC 7636's 43-128 characters.</summary>
    public static string NewVerifier() => RandomValue();

    public static string ChallengeOf(string verifier) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string RandomValue() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
