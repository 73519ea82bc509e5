using AuthServer.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AuthServer.Hosting.Http;

/// <summary>
/// What every request and answer gets before any endpoint runs, whatever the face:
/// <list type="bullet">
/// <item>a body limit (<see cref="RequestLimits.MaxBodyBytes"/>): a larger Content-Length is refused unread,
/// a larger chunked body stops being read at the limit; both answer 413 entityTooLarge;</item>
/// <item>405 with Allow on OpenIddict's endpoints (which routing does not see first) for another method;</item>
/// <item>query and form values that are not clean text (invalid UTF-8, control characters) refused with
/// entityInvalid naming the parameter, so no endpoint handles them;</item>
/// <item>the headers of every answer: nosniff; no-store wherever codes, tokens or user data may appear (the
/// login pages, /api, /connect), never on the cacheable discovery document and JWKS; HSTS over https.</item>
/// </list>
/// It runs inside the error middleware, so its refusals take the caller's error format.
/// </summary>
public sealed class HttpHygieneMiddleware(RequestDelegate next, IOptions<ServerOptions> server)
{
    private static readonly string[] GetPost = [HttpMethods.Get, HttpMethods.Post];
    private static readonly string[] PostOnly = [HttpMethods.Post];
    private static readonly string[] GetHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>OpenIddict's endpoints (OpenIddictSetup) and the methods each accepts.</summary>
    private static readonly Dictionary<string, string[]> OpenIddictMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["/connect/authorize"] = GetPost,
        ["/connect/token"] = PostOnly,
        ["/connect/userinfo"] = GetPost,
        ["/connect/introspect"] = PostOnly,
        ["/connect/revoke"] = PostOnly,
        ["/connect/endsession"] = GetPost,
        ["/.well-known/openid-configuration"] = GetHead,
        ["/.well-known/jwks"] = GetHead,
    };

    private readonly bool https = server.Value.PublicBaseUri.Scheme == Uri.UriSchemeHttps;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        context.Response.OnStarting(https ? ApplyHeadersHttps : ApplyHeaders, context);

        if (request.ContentLength > RequestLimits.MaxBodyBytes)
        {
            throw new AuthErrorException(AuthError.EntityTooLarge(RequestLimits.MaxBodyBytes));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
        }

        if (OpenIddictMethods.TryGetValue(request.Path.Value ?? "", out var allowed) && !allowed.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
        {
            throw new AuthErrorException(AuthError.MethodNotAllowed(allowed));
        }

        // Note: an authorization request's parameters are checked by the sign-in core itself (Features/SignIn), which
        // must send such errors back to a trusted client's redirect URI (RFC 6749 §4.1.2.1) rather than answer here.
        if (IsAuthorizationRequest(request.Path))
        {
            await next(context);
            return;
        }

        if (request.QueryString.HasValue)
        {
            RefuseInvalidUtf8(PercentEncoding.FirstInvalid(request.QueryString.Value!), "query");
            RefuseUnclean(request.Query, "query");
        }

        if (request.HasFormContentType && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            // The raw url-encoded body, read once more from a buffer (it is at most the body limit); decoded to text
            // only when the form reader refuses it, to name the parameter at fault.
            using var raw = new MemoryStream();
            if (request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                request.EnableBuffering();
                await request.Body.CopyToAsync(raw, context.RequestAborted);
                request.Body.Position = 0;
                RefuseInvalidUtf8(PercentEncoding.FirstInvalid(raw.GetBuffer().AsSpan(0, (int)raw.Length)), "form");
            }

            IFormCollection form;
            try
            {
                // Parsed once: the endpoints (and OpenIddict) read the same parsed form.
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
            {
                // A multipart body without its boundary or cut short, a form over the reader's limits, or a
                // percent-encoded NUL, which the reader refuses outright: then name the parameter that carries it.
                throw new AuthErrorException(UncleanUrlEncodedParameter(System.Text.Encoding.UTF8.GetString(raw.GetBuffer().AsSpan(0, (int)raw.Length))) is { } name
                    ? AuthError.EntityInvalid(name, "The value is not valid UTF-8 text or contains control characters.")
                    : AuthError.EntityInvalid("body", "The form could not be read."));
            }

            RefuseUnclean(form, "form");
        }

        await next(context);
    }

    /// <summary>The first parameter of a url-encoded body whose name or value decodes to control characters, if any.</summary>
    private static string? UncleanUrlEncodedParameter(string body)
    {
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(separator < 0 ? pair : pair[..separator]);
            var value = separator < 0 ? "" : Decode(pair[(separator + 1)..]);
            if (!IsClean(name))
            {
                return "form";
            }

            if (!IsClean(value))
            {
                return name;
            }
        }

        return null;

        static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    private static void RefuseInvalidUtf8(string? invalid, string where)
    {
        if (invalid is not null)
        {
            throw new AuthErrorException(AuthError.EntityInvalid(invalid.Length == 0 ? where : invalid, "The value is not valid UTF-8 (percent-encoded bytes that are not UTF-8)."));
        }
    }

    private static void RefuseUnclean(IEnumerable<KeyValuePair<string, StringValues>> values, string where)
    {
        List<ErrorDetail>? details = null;
        foreach (var (key, value) in values)
        {
            if (!IsClean(key))
            {
                (details ??= []).Add(new ErrorDetail(where, "A parameter name is not valid UTF-8 text or contains control characters."));
                continue;
            }

            foreach (var item in value)
            {
                if (!IsClean(item))
                {
                    (details ??= []).Add(new ErrorDetail(key, "The value is not valid UTF-8 text or contains control characters."));
                    break;
                }
            }
        }

        if (details is not null)
        {
            throw new AuthErrorException(AuthError.EntityInvalid(details));
        }
    }

    /// <summary>
    /// False for U+FFFD (what the decoders make of invalid UTF-8) and C0 controls other than tab, CR and LF (NUL
    /// above all, which PostgreSQL refuses in text).
    /// </summary>
    internal static bool IsClean(string? text)
    {
        foreach (var c in text ?? "")
        {
            if (c == '\uFFFD' || (c < ' ' && c is not ('\t' or '\r' or '\n')) || c == '\u007F')
            {
                return false;
            }
        }

        return true;
    }

    private static readonly Func<object, Task> ApplyHeaders = state => Apply((HttpContext)state, hsts: false);
    private static readonly Func<object, Task> ApplyHeadersHttps = state => Apply((HttpContext)state, hsts: true);

    private static Task Apply(HttpContext context, bool hsts)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (IsPrivate(context.Request.Path))
        {
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }

        if (hsts)
        {
            // Browsers that once reached the server over https never try plain http again for a year.
            headers.StrictTransportSecurity = "max-age=31536000";
        }

        return Task.CompletedTask;
    }

    /// <summary>Answers that may carry codes, tokens, sessions or user data: never stored by a browser or proxy.</summary>
    private static bool IsAuthorizationRequest(PathString path) =>
        path.Equals("/login", StringComparison.OrdinalIgnoreCase) || path.Equals("/connect/authorize", StringComparison.OrdinalIgnoreCase);

    private static bool IsPrivate(PathString path) =>
        (path.StartsWithSegments("/login", StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments("/login/assets", StringComparison.OrdinalIgnoreCase))
        || path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/connect", StringComparison.OrdinalIgnoreCase);
}
