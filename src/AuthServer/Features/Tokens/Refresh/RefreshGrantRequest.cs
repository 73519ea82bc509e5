using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace AuthServer.Features.Tokens.Refresh;

/// <summary>
/// A refresh-token request in the one shape the direct rotation takes (<see cref="RefreshGrantMiddleware"/>):
/// form-encoded, grant_type=refresh_token and the token, the client authenticated by exactly one method
/// (client_secret_basic, or client_id and client_secret in the form), no other parameter and no repeated one.
/// Anything else, malformed or merely unusual (a scope parameter, a resource), is not read here at all: OpenIddict
/// answers it, with the RFC 6749 error when it is an error.
/// </summary>
public sealed record RefreshGrantRequest(string ClientId, string ClientSecret, string RefreshToken)
{
    /// <summary>A refresh request is about 1.5 KB; larger bodies go to OpenIddict and its limits.</summary>
    private const long MaxBodyBytes = 16 * 1024;

    /// <summary>Cheap checks on the headers, before the body is read.</summary>
    public static bool IsCandidate(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && request.ContentLength is > 0 and <= MaxBodyBytes
        && MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
        && string.Equals(contentType.MediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
        && (contentType.CharSet is null || string.Equals(contentType.CharSet, "utf-8", StringComparison.OrdinalIgnoreCase));

    public static RefreshGrantRequest? TryRead(IFormCollection form, StringValues authorization)
    {
        if (Single(form, "grant_type") != "refresh_token" || Single(form, "refresh_token") is not { } token)
        {
            return null;
        }

        if (authorization.Count == 0)
        {
            return form.Count == 4 && Single(form, "client_id") is { } id && Single(form, "client_secret") is { } secret
                ? new RefreshGrantRequest(id, secret, token)
                : null;
        }

        return form.Count == 2 && authorization.Count == 1 && ParseBasic(authorization[0]) is var (basicId, basicSecret)
            ? new RefreshGrantRequest(basicId, basicSecret, token)
            : null;
    }

    private static string? Single(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>RFC 6749 §2.3.1: Basic with the form-encoded client id and secret.</summary>
    private static (string Id, string Secret)? ParseBasic(string? header)
    {
        const string Prefix = "Basic ";
        if (header is null || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[512];
        var encoded = header.AsSpan(Prefix.Length).Trim();
        if (encoded.Length > 680 || !Convert.TryFromBase64Chars(encoded, bytes, out var written))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[..written]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return null;
        }

        // Percent-decoding only, as OpenIddict reads the header: a '+' stays a '+', so this path never accepts a
        // secret OpenIddict would refuse.
        return (Uri.UnescapeDataString(text[..colon]), Uri.UnescapeDataString(text[(colon + 1)..]));
    }
}
