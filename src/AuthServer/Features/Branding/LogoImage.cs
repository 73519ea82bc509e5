namespace AuthServer.Features.Branding;

/// <summary>
/// What an uploaded logo may be: PNG, JPEG or WebP, told by its first bytes (never by the Content-Type it came
/// with), at most <see cref="MaxBytes"/>. SVG is refused: it is a document that can carry script, and served
/// from our origin it would run with it.
/// </summary>
public static class LogoImage
{
    /// <summary>Below the 64 KB body limit, so an oversized logo gets a field error rather than a 413.</summary>
    public const int MaxBytes = 48 * 1024;

    public static readonly IReadOnlyList<string> ContentTypes = ["image/png", "image/jpeg", "image/webp"];

    /// <summary>The image's type from its signature; null when it is none of the three.</summary>
    public static string? Sniff(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        // RIFF <size> WEBP
        if (content.Length >= 12 && content.StartsWith("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return null;
    }
}
