using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>
/// The CentralAuth-style face: a sign-in ends with this server's own single-use code (stored as an HMAC, bound to
/// the session, client, redirect URI and PKCE challenge), which the app exchanges at /api/v1/verify.
/// </summary>
public sealed class CentralAuthFace(AuthDbContext db, LoginSecrets secrets, IOptions<LoginOptions> options, IOptions<ServerOptions> server, TimeProvider clock) : ISignInFace
{
    public AuthorizationFace Face => AuthorizationFace.CentralAuth;

    public string Complete(CachedOrganization organization, AuthorizationRequest request, Session session)
    {
        var now = clock.GetUtcNow();
        var code = LoginSecrets.NewToken();
        db.AuthorizationCodes.Add(new AuthorizationCode
        {
            Id = Guid.NewGuid(),
            CodeHash = secrets.Hash(code),
            SessionId = session.Id,
            OrganizationId = organization.Id,
            RedirectUri = request.RedirectUri,
            CodeChallenge = request.CodeChallenge,
            Created = now,
            ExpiresAt = now + options.Value.CodeLifetime,
        });
        return AppRedirect.WithCode(request.RedirectUri, code, request.State, Issuer, request.Affirm);
    }

    /// <summary>The catalog's errorCode: apps of this face know the catalog.</summary>
    public string ErrorRedirect(AuthorizationRequest request, RuleViolation violation) =>
        AppRedirect.WithError(request.RedirectUri, violation.Error.Code, violation.Description, request.State, Issuer);

    private string Issuer => server.Value.PublicBaseUri.ToString();
}
