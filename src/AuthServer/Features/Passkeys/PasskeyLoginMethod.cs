using System.Text;
using AuthServer.Data.Entities;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using static AuthServer.Features.Login.Page.PageHtml;

namespace AuthServer.Features.Passkeys;

/// <summary>Passkeys (WebAuthn): the button first on the page, the script's JSON endpoints under /login/passkey.</summary>
public sealed class PasskeyLoginMethod : ILoginMethod
{
    public const string MethodName = "passkey";

    public string Name => MethodName;
    public string Amr => SessionService.MethodPasskey;
    public int Order => 10;

    /// <summary>Not inside another site's frame: browsers allow passkeys there only when the app delegates them.</summary>
    public bool IsEnabled(CachedOrganization organization, AuthorizationRequest request) => organization.Connections.Passkey && !request.Embed;

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapPasskeys();

    /// <summary>The passkey button, hidden until the script finds WebAuthn in the browser.</summary>
    public void AppendFragment(StringBuilder html, LoginPageModel model, string? divider)
    {
        var s = model.Strings;
        html.Append("<div class=\"passkey-signin\" data-passkey data-passkey-signin hidden").Append(PasskeyMessages(s)).Append('>');
        html.Append("<button type=\"button\" class=\"passkey\" id=\"passkey-signin\">").Append(KeyIcon).Append("<span>").Append(E(s["loginWithPasskey"])).Append("</span></button>");
        html.Append("<p class=\"error\" role=\"alert\" id=\"passkey-error\" hidden></p>");
        // The script reads the page's request id and token here (the page may have no other form).
        AppendHidden(html, model);

        html.Append(divider).Append("</div>");
    }

    private const string KeyIcon =
        "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\">"
        + "<circle cx=\"7.5\" cy=\"12\" r=\"4.5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>"
        + "<path d=\"M12 12h9.5M18.5 12v3.5M15.5 12v2.5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\"/></svg>";
}
