namespace AuthServer.Client.Internal;

/// <summary>
/// The open-redirect guard: a return address is used only when it stays on the app's own origin, and is
/// always turned into a local path (<c>/x?y</c>) so the redirect can never leave the origin.
/// </summary>
internal static class LocalRedirect
{
    private const int MaxLength = 2048;

    /// <summary>The local path for <paramref name="candidate"/>, or null when it is not on <paramref name="appOrigin"/>.</summary>
    public static string? ToLocalPath(string? candidate, Uri appOrigin)
    {
        if (string.IsNullOrEmpty(candidate) || candidate.Length > MaxLength)
        {
            return null;
        }

        // Browsers drop tabs and newlines from URLs and read '\' as '/', so "/\evil.com" or "/<tab>/evil.com"
        // would become "//evil.com": reject them outright.
        foreach (var c in candidate)
        {
            if (c <= ' ' || c == '\u007f' || c == '\\')
            {
                return null;
            }
        }

        Uri resolved;
        if (candidate[0] == '/')
        {
            if (candidate.StartsWith("//", StringComparison.Ordinal) || !Uri.TryCreate(appOrigin, candidate, out resolved!))
            {
                return null;
            }
        }
        else if (!Uri.TryCreate(candidate, UriKind.Absolute, out resolved!) || !string.IsNullOrEmpty(resolved.UserInfo))
        {
            return null;
        }

        if (!IsSameOrigin(resolved, appOrigin))
        {
            return null;
        }

        // Dot segments are resolved by Uri ("/.//evil.com" becomes "//evil.com"): check the result too.
        var path = resolved.PathAndQuery + resolved.Fragment;
        return path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal) && !path.StartsWith("/\\", StringComparison.Ordinal) ? path : null;
    }

    public static bool IsSameOrigin(Uri uri, Uri origin) =>
        uri.IsAbsoluteUri
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.Equals(uri.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase)
        && uri.Port == origin.Port;
}
