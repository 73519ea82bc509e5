using AuthServer.Data.Entities;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;

namespace AuthServer.Features.Passkeys;

/// <summary>Passkeys (WebAuthn): the button first on the page, the script's JSON endpoints under /login/passkey.</summary>
public sealed class PasskeyLoginMethod : ILoginMethod
{
    public const string MethodName = "passkey";

    public string Name => MethodName;
    public string Amr => SessionService.MethodPasskey;
    public int Order => 10;
    public Type Fragment => typeof(PasskeySignInFragment);

    /// <summary>Not inside another site's frame: browsers allow passkeys there only when the app delegates them.</summary>
    public bool IsEnabled(CachedOrganization organization, AuthorizationRequest request) => organization.Connections.Passkey && !request.Embed;

    public void MapEndpoints(IEndpointRouteBuilder app) => Offer.PasskeyOfferEndpoints.MapPasskeyOffer(app.MapPasskeys());
}
