namespace AuthServer.Features.Login.Page;

/// <summary>Headers of every hosted page: a strict CSP, no caching, no framing except in embed mode.</summary>
public static class PageSecurityHeaders
{
    /// <param name="formTargets">Origins a form may end up at: the app's, since our form posts redirect to its callback.</param>
    /// <param name="frameAncestors">Origins allowed to frame the page (embed mode); none otherwise.</param>
    /// <param name="imageOrigins">Origins images may come from besides ours: an organization's https logo URL.</param>
    public static void Apply(HttpResponse response, IEnumerable<string> formTargets, IEnumerable<string> frameAncestors, IEnumerable<string>? imageOrigins = null)
    {
        var images = string.Join(' ', (imageOrigins ?? []).Prepend("data:").Prepend("'self'"));
        var ancestors = string.Join(' ', frameAncestors);
        var targets = string.Join(' ', formTargets.Prepend("'self'"));
        response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; "
            + $"form-action {targets}; frame-ancestors {(ancestors.Length == 0 ? "'none'" : ancestors)}; base-uri 'none'";
        if (ancestors.Length == 0)
        {
            response.Headers.XFrameOptions = "DENY";
        }

        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}
