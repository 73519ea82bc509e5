using System.Text;
using AuthServer.Data.Entities;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Passkeys;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using static AuthServer.Features.Login.Page.PageHtml;

namespace AuthServer.Features.Login;

/// <summary>The emailed code or link: the email form, then the code form or "check your email" (<see cref="EmailLoginEndpoints"/>).</summary>
public sealed class EmailLoginMethod : ILoginMethod
{
    public const string MethodName = "email";

    public string Name => MethodName;
    public string Amr => SessionService.MethodEmail;
    public int Order => 20;

    public bool IsEnabled(CachedOrganization organization, AuthorizationRequest request) => organization.Connections.Email;

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapEmailLogin();

    public void AppendFragment(StringBuilder html, LoginPageModel model, string? divider)
    {
        var s = model.Strings;
        html.Append("<div class=\"email-signin\">");
        html.Append("<p class=\"intro\">").Append(E(s[model.RegisterPasskey ? "registerPasskeyIntro" : "loginPageIntro"])).Append("</p>");
        html.Append("<form method=\"post\" action=\"/login/email\" novalidate");
        if (model.ProofOfWork is { } puzzle)
        {
            // The script finds the counter (status below, read out by screen readers) and then submits by itself.
            html.Append(" data-pow-challenge=\"").Append(E(puzzle.Challenge)).Append("\" data-pow-difficulty=\"").Append(puzzle.Difficulty)
                .Append("\" data-msg-pow-done=\"").Append(E(s["powDone"])).Append('"');
        }

        html.Append('>');
        AppendHidden(html, model);
        if (model.ProofOfWork is { } pending)
        {
            html.Append("<input type=\"hidden\" name=\"pow\" value=\"").Append(pending.Id).Append("\">");
            html.Append("<input type=\"hidden\" name=\"pow_counter\" value=\"\">");
            if (model.RegisterPasskey)
            {
                html.Append("<input type=\"hidden\" name=\"intent\" value=\"passkey\">");
            }
        }
        html.Append("<label for=\"email\">").Append(E(s["emailAddress"])).Append("</label>");
        html.Append("<input id=\"email\" name=\"email\" type=\"email\" inputmode=\"email\" autocomplete=\"username webauthn\" required autofocus maxlength=\"320\"");
        if (model.Email is not null)
        {
            html.Append(" value=\"").Append(E(model.Email)).Append('"');
        }

        if (model.Error is not null)
        {
            html.Append(" aria-invalid=\"true\" aria-describedby=\"form-error\"");
        }

        html.Append('>');
        AppendError(html, model.Error, "form-error");
        if (model.ProofOfWork is not null)
        {
            html.Append("<p class=\"wait\" role=\"status\" aria-live=\"polite\" id=\"pow-status\">").Append(E(s["powWorking"])).Append("</p>");
        }

        if (model.RegisterPasskey)
        {
            // Registration mode (the person chose "Register a new passkey"): the only submit button, so Enter sends
            // the code for the passkey too, and a way back to the plain sign-in.
            if (model.ProofOfWork is null)
            {
                html.Append("<input type=\"hidden\" name=\"intent\" value=\"passkey\">");
            }

            html.Append("<button type=\"submit\">").Append(E(s["sendCodeForPasskey"])).Append("</button></form>");
            html.Append("<p class=\"secondary\"><a href=\"/login/resume?request=").Append(model.RequestId).Append("\">").Append(E(s["signInWithoutPasskey"])).Append("</a></p>");
            html.Append(divider).Append("</div>");
            return;
        }

        html.Append("<button type=\"submit\">").Append(E(s["continue"])).Append("</button>");
        if (model.Offers(PasskeyLoginMethod.MethodName))
        {
            // Registering a passkey starts with the emailed code. A second submit button: Enter in the field still
            // means Continue, the first one.
            html.Append("<p class=\"secondary\" data-passkey hidden><button type=\"submit\" name=\"intent\" value=\"passkey\" class=\"link\">")
                .Append(E(s["registerPasskey"])).Append("</button></p>");
        }

        html.Append("</form>").Append(divider).Append("</div>");
    }

    /// <summary>The code step: the emailed code, or (registering a passkey) the code the script checks before creating it.</summary>
    public static void AppendCodeStep(StringBuilder html, LoginPageModel model)
    {
        var s = model.Strings;
        html.Append("<p class=\"intro\">").Append(WithEmail(s[model.RegisterPasskey ? "passkeyCodeSent" : "codeSent"], model.Email)).Append("</p>");
        // Registration: the script checks the code and creates the passkey; without it the form signs in by email.
        html.Append("<form method=\"post\" action=\"/login/code\" novalidate").Append(model.RegisterPasskey ? " data-passkey-register" + PasskeyMessages(s) : "").Append('>');
        AppendHidden(html, model);
        html.Append("<input type=\"hidden\" name=\"attempt\" value=\"").Append(model.AttemptId).Append("\">");
        html.Append("<label for=\"code\">").Append(E(s["code"])).Append("</label>");
        html.Append("<input id=\"code\" name=\"code\" class=\"code\" type=\"text\" inputmode=\"numeric\" pattern=\"[0-9]{5}\" maxlength=\"5\" autocomplete=\"one-time-code\" required autofocus");
        if (model.Error is not null)
        {
            html.Append(" aria-invalid=\"true\" aria-describedby=\"form-error\"");
        }

        html.Append('>');
        AppendError(html, model.Error, "form-error");
        html.Append("<button type=\"submit\">").Append(E(s[model.RegisterPasskey ? "createPasskey" : "signIn"])).Append("</button></form>");

        // Resending posts the same email again: it is rate limited like the first send.
        html.Append("<form method=\"post\" action=\"/login/email\" class=\"secondary\">");
        AppendHidden(html, model);
        if (model.RegisterPasskey)
        {
            html.Append("<input type=\"hidden\" name=\"intent\" value=\"passkey\">");
        }

        html.Append("<input type=\"hidden\" name=\"email\" value=\"").Append(E(model.Email ?? "")).Append("\">");
        html.Append("<button type=\"submit\" class=\"link\">").Append(E(s["sendNewCode"])).Append("</button></form>");
        AppendStartOver(html, model);
    }

    /// <summary>The link step: the person opens the emailed link.</summary>
    /// <summary>
    /// The link step: the person opens the emailed link. Here (same browser) the link's page signs in; on another
    /// device it asks for an approval showing <see cref="LoginPageModel.ApprovalNumber"/>, and this page finishes
    /// the sign-in: the script polls the attempt every 2 seconds (bounded by the link's lifetime) and posts the
    /// form once approved; without script the person presses the button.
    /// </summary>
    public static void AppendLinkSentStep(StringBuilder html, LoginPageModel model)
    {
        var s = model.Strings;
        html.Append("<p class=\"intro\">").Append(WithEmail(s["linkSent"], model.Email)).Append("</p>");
        AppendError(html, model.Error, "form-error");
        if (model.ApprovalNumber is { } number && model.AttemptId is { } attempt)
        {
            html.Append("<p class=\"compare\">").Append(E(s["linkCompare"]).Replace("{number}", $"<strong class=\"number\" id=\"approval-number\">{E(number)}</strong>", StringComparison.Ordinal)).Append("</p>");
            html.Append("<form method=\"post\" action=\"/login/link/finish\" data-link-wait=\"").Append(attempt)
                .Append("\" data-wait-seconds=\"").Append(model.WaitSeconds)
                .Append("\" data-msg-declined=\"").Append(E(s["linkDeclinedHere"])).Append("\" data-msg-expired=\"").Append(E(s["linkExpiredHere"])).Append("\">");
            AppendHidden(html, model);
            html.Append("<input type=\"hidden\" name=\"attempt\" value=\"").Append(attempt).Append("\">");
            html.Append("<p class=\"wait\" role=\"status\" aria-live=\"polite\" id=\"link-status\">").Append(E(s["linkWaiting"])).Append("</p>");
            html.Append("<button type=\"submit\" class=\"secondary-button\">").Append(E(s["linkContinue"])).Append("</button></form>");
        }

        AppendStartOver(html, model);
    }
}
