using AuthServer.Data.Entities;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;

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

    public Type Fragment => typeof(UpstreamSignInFragment);
}
