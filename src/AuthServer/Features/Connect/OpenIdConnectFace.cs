using AuthServer.Data.Entities;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Connect;

/// <summary>
/// The OpenID Connect face: OpenIddict issues the code. A sign-in ends back at /connect/authorize (the original
/// request without prompt/max_age), which finds the new session through the SSO cookie.
/// </summary>
public sealed class OpenIdConnectFace(IOptions<ServerOptions> server, TimeProvider clock) : ISignInFace
{
    public AuthorizationFace Face => AuthorizationFace.OpenIdConnect;

    public string Complete(CachedOrganization organization, AuthorizationRequest request, Session session)
    {
        // The session needs no app-side verification step on this face: OpenIddict's code is bound to it.
        session.VerifiedAt = clock.GetUtcNow();
        return OidcContinuation.AuthorizeUrl(request.ProtocolQuery);
    }

    /// <summary>RFC 6749's vocabulary: standard clients know only those values.</summary>
    public string ErrorRedirect(AuthorizationRequest request, RuleViolation violation) =>
        AppRedirect.WithError(request.RedirectUri, violation.OAuthError, violation.Description, request.State, server.Value.PublicBaseUri.ToString());
}
