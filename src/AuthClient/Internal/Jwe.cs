using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Client.Internal;

/// <summary>
/// Reads the server's tokens: compact JWE with <c>alg: dir</c>, <c>enc: A256GCM</c>, key = the UTF-8 bytes of
/// the client secret (what jose's <c>jwtDecrypt(token, utf8(secret))</c> does in CentralAuth's own client).
/// </summary>
internal static class Jwe
{
    /// <summary>The payload, or null when the token is malformed, uses other algorithms, or the secret does not open it.</summary>
    public static JsonObject? TryDecrypt(string? token, string secret)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var parts = token?.Trim().Split('.');
        if (key.Length != 32 || parts is not { Length: 5 } || parts[1].Length != 0)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != "dir" || header["enc"]?.GetValue<string>() != "A256GCM" || header.ContainsKey("zip"))
            {
                return null;
            }

            var iv = WebEncoders.Base64UrlDecode(parts[2]);
            var ciphertext = WebEncoders.Base64UrlDecode(parts[3]);
            var tag = WebEncoders.Base64UrlDecode(parts[4]);
            if (iv.Length != 12 || tag.Length != 16)
            {
                return null;
            }

            var plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(key, tag.Length);
            aes.Decrypt(iv, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(parts[0]));
            return JsonNode.Parse(plaintext) as JsonObject;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>A string claim, or null when absent or not a string.</summary>
    public static string? StringClaim(JsonObject claims, string name) =>
        claims[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A numeric claim, or null when absent or not a number.</summary>
    public static long? NumberClaim(JsonObject claims, string name) =>
        claims[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}
