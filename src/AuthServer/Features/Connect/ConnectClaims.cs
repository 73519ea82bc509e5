using System.Security.Claims;
using System.Text.Json;
using AuthServer.Data.Entities;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AuthServer.Features.Connect;

/// <summary>The claims of the standard face, and where each one goes: one place for every destination.</summary>
public static class ConnectClaims
{
    public const string SessionId = "sid";

    /// <summary>The scopes this server knows; anything else a client asks for is dropped.</summary>
    public static readonly string[] SupportedScopes = [Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.OfflineAccess];

    /// <summary>
    /// The person signed in by a session: sub, sid, email, email_verified, auth_time, amr, and with the profile
    /// scope updated_at, the one standard profile claim a user record holds (no name is stored).
    /// </summary>
    public static ClaimsPrincipal ForSession(Session session, User user, IEnumerable<string> requestedScopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(SessionId, session.Id.ToString())
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.Verified)
            .SetClaim(Claims.AuthenticationTime, session.Created.ToUnixTimeSeconds());
        // amr is an array (RFC 8176): "otp" for the emailed code or link, "hwk" for a passkey.
        identity.AddClaim(new Claim(Claims.AuthenticationMethodReference, JsonSerializer.Serialize(new[] { session.Method }), JsonClaimValueTypes.JsonArray));
        identity.SetScopes(requestedScopes.Intersect(SupportedScopes, StringComparer.Ordinal));
        if (identity.HasScope(Scopes.Profile))
        {
            identity.SetClaim(Claims.UpdatedAt, user.Updated.ToUnixTimeSeconds());
        }
        return WithDestinations(new ClaimsPrincipal(identity));
    }

    /// <summary>A machine client (client_credentials): it is its own subject, with no session and no user.</summary>
    public static ClaimsPrincipal ForClient(string clientId, IEnumerable<string> requestedScopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId);
        identity.SetScopes(requestedScopes.Intersect(SupportedScopes, StringComparer.Ordinal).Where(s => s != Scopes.OpenId && s != Scopes.OfflineAccess));
        return WithDestinations(new ClaimsPrincipal(identity));
    }

    /// <summary>
    /// sub and sid go everywhere (resource servers tie an access token to its session); email only with the
    /// email scope, updated_at only with the profile scope; auth_time and amr describe the authentication, so they belong in the id token.
    /// </summary>
    public static ClaimsPrincipal WithDestinations(ClaimsPrincipal principal)
    {
        var hasEmailScope = principal.HasScope(Scopes.Email);
        var hasProfileScope = principal.HasScope(Scopes.Profile);
        principal.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject or SessionId => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email or Claims.EmailVerified when hasEmailScope => [Destinations.IdentityToken],
            Claims.UpdatedAt when hasProfileScope => [Destinations.IdentityToken],
            Claims.AuthenticationTime or Claims.AuthenticationMethodReference => [Destinations.IdentityToken],
            _ => [],
        });
        return principal;
    }
}
