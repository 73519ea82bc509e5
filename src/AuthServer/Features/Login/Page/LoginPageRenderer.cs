using System.Net;
using System.Text;
using AuthServer.Errors;

namespace AuthServer.Features.Login.Page;

/// <summary>
/// Server-rendered HTML of the hosted login page. No framework: a form per step that works without
/// script; login.js only adds conveniences (embed height). Every value is HTML-encoded.
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

        switch (model.Step)
        {
            case LoginStep.Email:
                AppendEmailStep(body, model);
                break;
            case LoginStep.Code:
                AppendCodeStep(body, model);
                break;
            case LoginStep.LinkSent:
                body.Append("<p class=\"intro\">").Append(WithEmail(s["linkSent"], model.Email)).Append("</p>");
                AppendError(body, model.Error, "form-error");
                AppendStartOver(body, model);
                break;
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

    private static void AppendEmailStep(StringBuilder body, LoginPageModel model)
    {
        var s = model.Strings;
        if (model.Passkeys)
        {
            AppendPasskeySignIn(body, model);
            if (!model.EmailConnection)
            {
                return;
            }
        }

        body.Append("<p class=\"intro\">").Append(E(s["loginPageIntro"])).Append("</p>");
        body.Append("<form method=\"post\" action=\"/login/email\" novalidate>");
        AppendHidden(body, model);
        body.Append("<label for=\"email\">").Append(E(s["emailAddress"])).Append("</label>");
        body.Append("<input id=\"email\" name=\"email\" type=\"email\" inputmode=\"email\" autocomplete=\"username webauthn\" required autofocus maxlength=\"320\"");
        if (model.Email is not null)
        {
            body.Append(" value=\"").Append(E(model.Email)).Append('"');
        }

        if (model.Error is not null)
        {
            body.Append(" aria-invalid=\"true\" aria-describedby=\"form-error\"");
        }

        body.Append('>');
        AppendError(body, model.Error, "form-error");
        body.Append("<button type=\"submit\">").Append(E(s["continue"])).Append("</button>");
        if (model.Passkeys)
        {
            // A second submit button: Enter in the field still means Continue, the first one.
            body.Append("<p class=\"secondary\" data-passkey hidden><button type=\"submit\" name=\"intent\" value=\"passkey\" class=\"link\">")
                .Append(E(s["registerPasskey"])).Append("</button></p>");
        }

        body.Append("</form>");
    }

    /// <summary>The passkey button, first; hidden until the script finds WebAuthn in the browser.</summary>
    private static void AppendPasskeySignIn(StringBuilder body, LoginPageModel model)
    {
        var s = model.Strings;
        body.Append("<div class=\"passkey-signin\" data-passkey data-passkey-signin hidden").Append(Messages(s)).Append('>');
        body.Append("<button type=\"button\" class=\"passkey\" id=\"passkey-signin\">").Append(KeyIcon).Append("<span>").Append(E(s["loginWithPasskey"])).Append("</span></button>");
        body.Append("<p class=\"error\" role=\"alert\" id=\"passkey-error\" hidden></p>");
        if (model.EmailConnection)
        {
            body.Append("<p class=\"divider\"><span>").Append(E(s["or"])).Append("</span></p>");
        }
        else
        {
            // No email form to carry them: the script reads the page's request id and token here.
            AppendHidden(body, model);
        }

        body.Append("</div>");
    }

    /// <summary>What the script says when the browser's passkey dialog fails (server errors bring their own message).</summary>
    private static string Messages(LoginPageStrings s) =>
        $" data-msg-cancelled=\"{E(s["passkeyCancelled"])}\" data-msg-exists=\"{E(s["passkeyExists"])}\" data-msg-failed=\"{E(s["passkeyFailed"])}\"";

    private const string KeyIcon =
        "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\">"
        + "<circle cx=\"7.5\" cy=\"12\" r=\"4.5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>"
        + "<path d=\"M12 12h9.5M18.5 12v3.5M15.5 12v2.5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\"/></svg>";

    private static void AppendCodeStep(StringBuilder body, LoginPageModel model)
    {
        var s = model.Strings;
        body.Append("<p class=\"intro\">").Append(WithEmail(s[model.RegisterPasskey ? "passkeyCodeSent" : "codeSent"], model.Email)).Append("</p>");
        // Registration: the script checks the code and creates the passkey; without it the form signs in by email.
        body.Append("<form method=\"post\" action=\"/login/code\" novalidate").Append(model.RegisterPasskey ? " data-passkey-register" + Messages(s) : "").Append('>');
        AppendHidden(body, model);
        body.Append("<input type=\"hidden\" name=\"attempt\" value=\"").Append(model.AttemptId).Append("\">");
        body.Append("<label for=\"code\">").Append(E(s["code"])).Append("</label>");
        body.Append("<input id=\"code\" name=\"code\" class=\"code\" type=\"text\" inputmode=\"numeric\" pattern=\"[0-9]{5}\" maxlength=\"5\" autocomplete=\"one-time-code\" required autofocus");
        if (model.Error is not null)
        {
            body.Append(" aria-invalid=\"true\" aria-describedby=\"form-error\"");
        }

        body.Append('>');
        AppendError(body, model.Error, "form-error");
        body.Append("<button type=\"submit\">").Append(E(s[model.RegisterPasskey ? "createPasskey" : "signIn"])).Append("</button></form>");

        // Resending posts the same email again: it is rate limited like the first send.
        body.Append("<form method=\"post\" action=\"/login/email\" class=\"secondary\">");
        AppendHidden(body, model);
        if (model.RegisterPasskey)
        {
            body.Append("<input type=\"hidden\" name=\"intent\" value=\"passkey\">");
        }

        body.Append("<input type=\"hidden\" name=\"email\" value=\"").Append(E(model.Email ?? "")).Append("\">");
        body.Append("<button type=\"submit\" class=\"link\">").Append(E(s["sendNewCode"])).Append("</button></form>");
        AppendStartOver(body, model);
    }

    private static void AppendStartOver(StringBuilder body, LoginPageModel model) =>
        body.Append("<p class=\"secondary\"><a href=\"/login/resume?request=").Append(model.RequestId).Append("\">")
            .Append(E(model.Strings["useDifferentEmail"])).Append("</a></p>");

    private static void AppendHidden(StringBuilder body, LoginPageModel model)
    {
        body.Append("<input type=\"hidden\" name=\"request\" value=\"").Append(model.RequestId).Append("\">");
        body.Append("<input type=\"hidden\" name=\"").Append(E(model.Antiforgery.FormFieldName)).Append("\" value=\"").Append(E(model.Antiforgery.RequestToken ?? "")).Append("\">");
    }

    private static void AppendError(StringBuilder body, string? error, string id)
    {
        if (error is not null)
        {
            body.Append("<p class=\"error\" role=\"alert\" id=\"").Append(id).Append("\">").Append(E(error)).Append("</p>");
        }
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

    /// <summary>The sentence with the address set apart (and breakable anywhere, as addresses are long).</summary>
    private static string WithEmail(string sentence, string? email) =>
        E(sentence).Replace("{email}", $"<strong class=\"address\">{E(email ?? "")}</strong>", StringComparison.Ordinal);

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
