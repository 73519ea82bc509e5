using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>
/// The CentralAuth face's tokens: compact JWE (RFC 7516) with <c>alg: dir</c> and <c>enc: A256GCM</c>, the
/// key being the UTF-8 bytes of the organization's 32-character secret, so an app decrypts them with
/// jose's <c>jwtDecrypt(token, new TextEncoder().encode(secret))</c>.
/// </summary>
public static class CentralAuthTokens
{
    private const string Header = """{"alg":"dir","enc":"A256GCM"}""";
    private static readonly string EncodedHeader = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(Header));

    public static string Encrypt(JsonObject payload, string secret)
    {
        var key = KeyOf(secret) ?? throw new InvalidOperationException("A client secret must be 32 bytes of UTF-8 to serve as an A256GCM key.");
        var plaintext = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var iv = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(key, tag.Length))
        {
            // RFC 7516 §5.1 step 14: the additional authenticated data is ASCII(BASE64URL(protected header)).
            aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(EncodedHeader));
        }

        return string.Join('.', EncodedHeader, "", WebEncoders.Base64UrlEncode(iv), WebEncoders.Base64UrlEncode(ciphertext), WebEncoders.Base64UrlEncode(tag));
    }

    /// <summary>Decrypts with the first secret that authenticates the token; null when none does or it is malformed.</summary>
    public static JsonObject? Decrypt(string token, IEnumerable<string> secrets)
    {
        var parts = token.Trim().Split('.');
        if (parts.Length != 5 || parts[1].Length != 0)
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

            var aad = Encoding.ASCII.GetBytes(parts[0]);
            foreach (var secret in secrets)
            {
                if (KeyOf(secret) is not { } key)
                {
                    continue;
                }

                var plaintext = new byte[ciphertext.Length];
                using var aes = new AesGcm(key, tag.Length);
                try
                {
                    aes.Decrypt(iv, ciphertext, tag, plaintext, aad);
                }
                catch (AuthenticationTagMismatchException)
                {
                    continue;
                }

                return JsonNode.Parse(plaintext) as JsonObject;
            }
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException)
        {
            // Malformed base64, JSON or claim types: an invalid token, never a server error.
        }

        return null;
    }

    private static byte[]? KeyOf(string secret)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        return key.Length == 32 ? key : null;
    }
}
