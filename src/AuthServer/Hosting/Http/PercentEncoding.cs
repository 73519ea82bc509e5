using System.Text;
using System.Text.Unicode;

namespace AuthServer.Hosting.Http;

/// <summary>
/// Checks that a raw query string or url-encoded form decodes to valid UTF-8. The framework's decoders leave an
/// undecodable escape such as %FF as the literal text "%FF" (so an endpoint would see a value nobody sent)
/// and cannot tell it apart afterwards from a real "%25FF": only the raw text can.
/// </summary>
public static class PercentEncoding
{
    /// <summary>Null when every name and value decodes to valid UTF-8; else the name of the first one that does not ("" if the name itself is broken).</summary>
    public static string? FirstInvalid(ReadOnlySpan<byte> raw)
    {
        Span<byte> decoded = stackalloc byte[512];
        foreach (var pairRange in raw.Split((byte)'&'))
        {
            var pair = raw[pairRange];
            var equals = pair.IndexOf((byte)'=');
            var key = equals < 0 ? pair : pair[..equals];
            var keyText = Decode(key, decoded);
            if (keyText is null)
            {
                return "";
            }

            if (equals >= 0 && !IsValid(pair[(equals + 1)..]))
            {
                return keyText;
            }
        }

        return null;
    }

    public static string? FirstInvalid(string raw) => FirstInvalid(Encoding.UTF8.GetBytes(raw.StartsWith('?') ? raw[1..] : raw));

    private static bool IsValid(ReadOnlySpan<byte> encoded)
    {
        if (encoded.IndexOf((byte)'%') < 0)
        {
            return Utf8.IsValid(encoded);
        }

        var buffer = encoded.Length <= 1024 ? stackalloc byte[encoded.Length] : new byte[encoded.Length];
        return Decode(encoded, buffer) is not null;
    }

    /// <summary>The decoded text, or null when an escape is malformed or the bytes are not UTF-8.</summary>
    private static string? Decode(ReadOnlySpan<byte> encoded, Span<byte> scratch)
    {
        var buffer = encoded.Length <= scratch.Length ? scratch : new byte[encoded.Length];
        var length = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == (byte)'%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
            {
                buffer[length++] = (byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                i += 2;
            }
            else
            {
                buffer[length++] = b == (byte)'+' ? (byte)' ' : b;
            }
        }

        var bytes = buffer[..length];
        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= (byte)'9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
