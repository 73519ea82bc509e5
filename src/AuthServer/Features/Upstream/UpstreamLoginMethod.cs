using System.Text;
using AuthServer.Data.Entities;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;
using static AuthServer.Features.Login.Page.PageHtml;

namespace AuthServer.Features.Upstream;

/// <summary>
/// "Continue with Google" (Microsoft, GitHub, Apple, an OpenID Connect provider): a button per enabled
/// connection, above the email form. Each is a link to /login/upstream/{connection}?request=…, which starts the
/// provider's authorization request (<see cref="UpstreamEndpoints"/>). A link, not a form: the page's
/// form-action policy would block the form's redirect to the provider.
/// </summary>
public sealed class UpstreamLoginMethod : ILoginMethod
{
    public const string MethodName = "upstream";

    /// <summary>RFC 8176: federated authentication.</summary>
    public const string AmrFederated = "fed";

    public string Name => MethodName;
    public string Amr => AmrFederated;
    public int Order => 15;

    /// <summary>Not inside another site's frame: the providers refuse to be framed.</summary>
    public bool IsEnabled(CachedOrganization organization, AuthorizationRequest request) =>
        !request.Embed && organization.UpstreamConnections.Any(c => c.Enabled);

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapUpstream();

    public void AppendFragment(StringBuilder html, LoginPageModel model, string? divider)
    {
        html.Append("<div class=\"upstream-signin\">");
        foreach (var connection in model.Organization?.UpstreamConnections.Where(c => c.Enabled) ?? [])
        {
            var label = model.Strings["continueWith"].Replace("{provider}", connection.ButtonName, StringComparison.Ordinal);
            html.Append("<a class=\"upstream upstream-").Append(E(connection.Kind)).Append("\" href=\"/login/upstream/").Append(connection.Id.ToString("N"))
                .Append("?request=").Append(model.RequestId).Append("\">")
                .Append(UpstreamBrands.Logo(connection.Kind))
                .Append("<span>").Append(E(label)).Append("</span></a>");
        }

        html.Append(divider).Append("</div>");
    }
}
