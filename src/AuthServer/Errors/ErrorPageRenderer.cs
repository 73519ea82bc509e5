using System.Net;

namespace AuthServer.Errors;

/// <summary>Renders a catalog error as a page for a browser. The login feature supplies the styled one.</summary>
public interface IErrorPageRenderer
{
    Task RenderAsync(HttpContext context, AuthError error);
}

/// <summary>A plain, safe error page: used until a feature registers its own renderer.</summary>
public sealed class PlainErrorPageRenderer : IErrorPageRenderer
{
    public async Task RenderAsync(HttpContext context, AuthError error)
    {
        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        await context.Response.WriteAsync(
            $"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Error</title><h1>{WebUtility.HtmlEncode(error.Message)}</h1><p>Error code: {WebUtility.HtmlEncode(error.Code)}</p><p>Trace id: {WebUtility.HtmlEncode(ErrorResponses.TraceId(context))}</p></html>");
    }
}
