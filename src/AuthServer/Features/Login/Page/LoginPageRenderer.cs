using System.Text;
using AuthServer.Errors;
using static AuthServer.Features.Login.Page.PageHtml;

namespace AuthServer.Features.Login.Page;

/// <summary>
/// Server-rendered HTML of the hosted login page. No framework: a form per step that works without
/// script; login.js only adds conveniences (embed height, passkeys). The page is the organization's heading and
/// the fragments of its login methods (<see cref="SignIn.ILoginMethod"/>); every value is HTML-encoded.
/// </summary>
public sealed class LoginPageRenderer : IErrorPageRenderer
{
    public static Task RenderAsync(HttpContext context, LoginPageModel model, IEnumerable<string> formTargets, int status = StatusCodes.Status200OK)
    {
        var s = model.Strings;
        var body = new StringBuilder();
        body.Append("<h1>").Append(E(model.OrganizationName)).Append("</h1>");
        if (model.Notice is not null)
        {
            body.Append("<div class=\"notice\" role=\"status\">").Append(E(model.Notice)).Append("</div>");
        }

        if (model.Step is { } step)
        {
            // A later step of one login method (the code form, "check your email").
            step(body, model);
        }
        else
        {
            // The first step: each login method the request may use, in page order, with "or" between them.
            // Registering a passkey is the email method's form in registration mode, alone on the page.
            var methods = model.RegisterPasskey ? model.Methods.Where(m => m.Name == Login.EmailLoginMethod.MethodName).ToList() : model.Methods;
            var divider = $"<p class=\"divider\"><span>{E(s["or"])}</span></p>";
            for (var i = 0; i < methods.Count; i++)
            {
                methods[i].AppendFragment(body, model, i < methods.Count - 1 ? divider : null);
            }
        }

        PageSecurityHeaders.Apply(context.Response, formTargets, model.EmbedOrigin is null ? [] : [model.EmbedOrigin]);
        return WriteAsync(context, Layout(model.OrganizationName, s, body.ToString(), model.EmbedOrigin), status);
    }

    /// <summary>The page shown when we must not redirect (unknown client, untrusted redirect URI) or a step cannot go on.</summary>
    public Task RenderAsync(HttpContext context, AuthError error) => RenderErrorAsync(context, error, LoginPageStrings.Default);

    public static Task RenderErrorAsync(HttpContext context, AuthError error, LoginPageStrings s)
    {
        var body = new StringBuilder()
            .Append("<h1>").Append(E(s["errorTitle"])).Append("</h1>")
            .Append("<div class=\"error\" role=\"alert\"><p>").Append(E(error.Message)).Append("</p></div>")
            .Append("<p class=\"meta\">").Append(E(s["errorCode"])).Append(": <code>").Append(E(error.Code)).Append("</code></p>")
            .Append("<p class=\"meta\">Trace: <code>").Append(E(ErrorResponses.TraceId(context))).Append("</code></p>");
        context.Response.Clear();
        PageSecurityHeaders.Apply(context.Response, [], []);
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteAsync(context, Layout("Sign in", s, body.ToString(), null), error.Status);
    }

    /// <summary>A plain message page in the login page's style (for example after signing out).</summary>
    public static Task RenderMessageAsync(HttpContext context, string title, string message)
    {
        var body = $"<h1>{E(title)}</h1><p class=\"intro\">{E(message)}</p>";
        PageSecurityHeaders.Apply(context.Response, [], []);
        return WriteAsync(context, Layout(title, LoginPageStrings.Default, body, null), StatusCodes.Status200OK);
    }

    /// <summary>A page of the login flow outside the login page itself (an emailed link's page), in its style.</summary>
    public static Task RenderCardAsync(HttpContext context, string title, LoginPageStrings s, string body, IEnumerable<string> formTargets, int status = StatusCodes.Status200OK)
    {
        PageSecurityHeaders.Apply(context.Response, formTargets, []);
        return WriteAsync(context, Layout(title, s, body, null), status);
    }

    private static string Layout(string title, LoginPageStrings s, string main, string? embedOrigin) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{E(title)}</title>
        <link rel="stylesheet" href="/login/assets/login.css">
        <script src="/login/assets/login.js" defer></script>
        </head>
        <body{(embedOrigin is null ? "" : $" class=\"embed\" data-embed-origin=\"{E(embedOrigin)}\"")}>
        <main class="card">{main}</main>
        <p class="footer">{E(s["footer"])}</p>
        </body>
        </html>
        """;

    private static async Task WriteAsync(HttpContext context, string html, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html, context.RequestAborted);
    }
}
