using System.Net;
using System.Text;

namespace AuthServer.Features.Login.Page;

/// <summary>The pieces of HTML every fragment of the login page shares. Every value is HTML-encoded.</summary>
public static class PageHtml
{
    public static string E(string value) => WebUtility.HtmlEncode(value);

    /// <summary>The fields every form of the page posts: its request and its anti-forgery token.</summary>
    public static void AppendHidden(StringBuilder body, LoginPageModel model)
    {
        body.Append("<input type=\"hidden\" name=\"request\" value=\"").Append(model.RequestId).Append("\">");
        body.Append("<input type=\"hidden\" name=\"").Append(E(model.Antiforgery.FormFieldName)).Append("\" value=\"").Append(E(model.Antiforgery.RequestToken ?? "")).Append("\">");
    }

    public static void AppendError(StringBuilder body, string? error, string id)
    {
        if (error is not null)
        {
            body.Append("<p class=\"error\" role=\"alert\" id=\"").Append(id).Append("\">").Append(E(error)).Append("</p>");
        }
    }

    public static void AppendStartOver(StringBuilder body, LoginPageModel model) =>
        body.Append("<p class=\"secondary\"><a href=\"/login/resume?request=").Append(model.RequestId).Append("\">")
            .Append(E(model.Strings["useDifferentEmail"])).Append("</a></p>");

    /// <summary>The sentence with the address set apart (and breakable anywhere, as addresses are long).</summary>
    public static string WithEmail(string sentence, string? email) =>
        E(sentence).Replace("{email}", $"<strong class=\"address\">{E(email ?? "")}</strong>", StringComparison.Ordinal);

    /// <summary>What the script says when the browser's passkey dialog fails (server errors bring their own message).</summary>
    public static string PasskeyMessages(LoginPageStrings s) =>
        $" data-msg-cancelled=\"{E(s["passkeyCancelled"])}\" data-msg-exists=\"{E(s["passkeyExists"])}\" data-msg-failed=\"{E(s["passkeyFailed"])}\"";
}
