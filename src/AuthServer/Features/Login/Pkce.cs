using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Login;

/// <summary>PKCE (RFC 7636) with S256, the only method accepted.</summary>
public static class Pkce
{
    /// <summary>A challenge is base64url(SHA-256(verifier)): exactly 43 base64url characters.</summary>
    public static bool IsWellFormedChallenge(string? challenge) =>
        challenge is { Length: 43 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_');

    /// <summary>
    /// Verifiers of 32 to 128 characters from RFC 7636's unreserved set. Note: the lower bound is 32, not
    /// RFC 7636's 43, because CentralAuth's official client sends a 36-character UUID (docs/protocol.md §6).
    /// </summary>
    public static bool IsWellFormedVerifier(string? verifier, int minimumLength = 32) =>
        verifier is not null && verifier.Length >= minimumLength && verifier.Length <= 128
        && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    public static string ChallengeOf(string verifier) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Whether the verifier hashes to the challenge, compared in constant time.</summary>
    public static bool Matches(string challenge, string verifier) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ChallengeOf(verifier)), Encoding.ASCII.GetBytes(challenge));
}
