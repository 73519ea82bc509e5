using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace AuthServer.Client.Internal;

/// <summary>
/// The app's own answers when signing in cannot work right now (auth server unreachable, or the app's
/// configuration refused): a small HTML page for browsers and the catalog's JSON for API clients, both 503
/// with Retry-After. Rendered locally: sending the browser to the unreachable login page would only show a
/// browser error, and answering 401 would look like "signed out".
/// </summary>
internal static class OutagePage
{
    /// <summary>Writes the 503: JSON for API clients, the page for browsers.</summary>
    /// <param name="context">The request.</param>
    /// <param name="error">Why the server could not say who the person is.</param>
    /// <param name="retryAfter">The Retry-After to send.</param>
    /// <param name="html">A page (browsers) rather than JSON.</param>
    /// <param name="retryUrl">Where "Try again" goes; defaults to the same request (a callback passes the login endpoint: its state is spent).</param>
    public static Task WriteAsync(HttpContext context, AuthException error, TimeSpan retryAfter, bool html, string? retryUrl = null)
    {
        var response = context.Response;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";
        var message = error.IsTransient || error.StatusCode >= 500 || error.Error == AuthErrorCode.Unknown
            ? "Signing in is not available right now. Please try again in a moment."
            : error.Message;
        if (!html)
        {
            return response.WriteAsJsonAsync(new
            {
                errorCode = error.ErrorCode ?? error.Error.ToWireCode(),
                message,
                traceId = error.TraceId,
                retryAfter = seconds,
            }, context.RequestAborted);
        }

        response.ContentType = "text/html; charset=utf-8";
        var again = HtmlEncoder.Default.Encode(retryUrl ?? (context.Request.PathBase + context.Request.Path + context.Request.QueryString).ToString());
        return response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Please try again in a moment</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#0b57d0}</style></head>
            <body>
            <h1>Please try again in a moment</h1>
            <p>{{HtmlEncoder.Default.Encode(message)}}</p>
            <p><a href="{{again}}">Try again</a></p>
            </body>
            </html>
            """, context.RequestAborted);
    }

    public static Task WriteSignedOutAsync(HttpContext context, string loginPath)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Signed out</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#0b57d0}</style></head>
            <body>
            <h1>You are signed out</h1>
            <p><a href="{{HtmlEncoder.Default.Encode(loginPath)}}">Sign in again</a></p>
            </body>
            </html>
            """, context.RequestAborted);
    }
}
