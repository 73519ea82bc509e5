using System.Security.Claims;
using AuthServer.Pages;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OidcErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace AuthServer.Features.Connect;

/// <summary>
/// The /connect/* glue. OpenIddict validates the protocol (clients, redirect URIs, PKCE, grants); these
/// handlers decide who is signed in, each branch returning SignIn, Forbid or a redirect to the login page.
/// </summary>
public static class ConnectEndpoints
{
    private const string Scheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapConnect(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").ExcludeFromDescription().DisableAntiforgery();
        connect.MapMethods("/authorize", [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync);
        connect.MapPost("/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        connect.MapMethods("/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfoAsync);
        connect.MapMethods("/endsession", [HttpMethods.Get, HttpMethods.Post], EndSessionAsync);
        return app;
    }

    /// <summary>
    /// OpenIddict validated the client and redirect URI, and <see cref="ConnectRequestRules"/> the request's rules.
    /// A valid session of this browser signs the user in at once (single sign-on), unless the client asks for a
    /// fresh login (prompt=login, max_age exceeded). Otherwise: login_required for prompt=none, or the hosted login
    /// page, which comes back here once a session exists.
    /// </summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, AuthorizationRequestService requests, LoginMethods methods,
        OrganizationCache organizations, SessionCookie sessionCookie, SessionValidator sessions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not handle this request.");
        var organization = await organizations.FindAsync(request.ClientId, cancellationToken);
        if (organization is null)
        {
            return Forbid(OidcErrors.InvalidClient, "The client is unknown.");
        }

        var parameters = ConnectRequestRules.ParametersOf(request);
        var authorization = requests.Create(organization, AuthorizationFace.OpenIdConnect, parameters, ProtocolQuery(request));
        if (AuthorizationRequestRules.CheckLoginMethods(methods.AnyEnabled(organization, authorization)) is { } violation)
        {
            return Forbid(violation.OAuthError, violation.Description);
        }

        var session = await FindSsoSessionAsync(context, sessionCookie, sessions, organization, cancellationToken);
        var now = clock.GetUtcNow();
        var freshLoginRequired = request.HasPromptValue(PromptValues.Login)
            || (request.MaxAge is { } maxAge && session is not null && (now - session.Created).TotalSeconds > maxAge);

        if (session is not null && !freshLoginRequired)
        {
            return Results.SignIn(ConnectClaims.ForSession(session, session.User!, request.GetScopes()), authenticationScheme: Scheme);
        }

        if (request.HasPromptValue(PromptValues.None))
        {
            return Forbid(OidcErrors.LoginRequired, "The user is not signed in.");
        }

        var added = await requests.AddForBrowserAsync(authorization, ClientContext.FromBrowser(context).Ip, cancellationToken);
        if (added.Failed)
        {
            return Forbid(OidcErrors.TemporarilyUnavailable, added.Error!.Message);
        }

        return Results.Redirect($"/login/resume?request={authorization.Id}");
    }

    /// <summary>
    /// Codes and refresh tokens carry the principal they were issued for (their session was checked by
    /// ConnectHandlers.RejectTokensOfEndedSessions); client_credentials signs the client in as itself.
    /// </summary>
    private static async Task<IResult> TokenAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not handle this request.");
        if (request.IsClientCredentialsGrantType())
        {
            return Results.SignIn(ConnectClaims.ForClient(request.ClientId!, request.GetScopes()), authenticationScheme: Scheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await context.AuthenticateAsync(Scheme);
            if (result.Principal is null)
            {
                return Forbid(OidcErrors.InvalidGrant, "The code or refresh token is no longer valid.");
            }

            return Results.SignIn(ConnectClaims.WithDestinations(result.Principal), authenticationScheme: Scheme);
        }

        return Forbid(OidcErrors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context, AuthDbContext db, CancellationToken cancellationToken)
    {
        var principal = (await context.AuthenticateAsync(Scheme)).Principal;
        // A machine token (client_credentials) names no user, and a deleted user has no claims to give.
        if (principal is null || !Guid.TryParse(principal.GetClaim(Claims.Subject), out var userId))
        {
            return InvalidToken("The token does not name a user.");
        }

        var user = ConnectHandlers.RejectTokensOfEndedSessions.ValidatedSessionOf(context)?.User is { } checkedUser && checkedUser.Id == userId
            ? checkedUser
            : await db.Users.FindAsync([userId], cancellationToken);
        if (user is null)
        {
            return InvalidToken("The user of this token no longer exists.");
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { [Claims.Subject] = user.Id.ToString() };
        if (principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email;
            claims[Claims.EmailVerified] = user.Verified;
        }

        if (principal.HasScope(Scopes.Profile))
        {
            claims[Claims.UpdatedAt] = user.Updated.ToUnixTimeSeconds();
        }

        return Results.Json(claims);
    }

    /// <summary>
    /// RP-initiated logout: ends this browser's session (and the one named by id_token_hint), then returns
    /// to the validated post_logout_redirect_uri, or shows that the person is signed out.
    /// </summary>
    private static async Task<IResult> EndSessionAsync(HttpContext context, SessionCookie sessionCookie, SessionService sessions, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not handle this request.");
        var hinted = (await context.AuthenticateAsync(Scheme)).Principal?.GetClaim(ConnectClaims.SessionId);
        foreach (var sessionId in new[] { sessionCookie.Read(context), Guid.TryParse(hinted, out var id) ? id : null }.OfType<Guid>().Distinct())
        {
            await sessions.EndAsync(sessionId, "logout", cancellationToken);
        }

        sessionCookie.Clear(context);
        if (!string.IsNullOrEmpty(request.PostLogoutRedirectUri))
        {
            return Results.SignOut(authenticationSchemes: [Scheme]);
        }

        return new SignedOutPage();
    }

    private static async Task<Session?> FindSsoSessionAsync(HttpContext context, SessionCookie sessionCookie, SessionValidator sessions,
        CachedOrganization organization, CancellationToken cancellationToken)
    {
        if (sessionCookie.Read(context) is not { } sessionId)
        {
            return null;
        }

        // Single sign-on is per organization: a session of another organization does not count here.
        var session = await sessions.ValidateForTokenAsync(sessionId, cancellationToken);
        return session.Failed || session.Value!.OrganizationId != organization.Id ? null : session.Value;
    }

    /// <summary>The request's parameters as a query, to replay it once the person has signed in.</summary>
    private static string ProtocolQuery(OpenIddictRequest request)
    {
        var query = new QueryBuilder();
        foreach (var (name, value) in request.GetParameters())
        {
            if ((string?)value is { } text)
            {
                query.Add(name, text);
            }
        }

        return query.ToQueryString().Value ?? "";
    }

    /// <summary>401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1), written by OpenIddict.</summary>
    private static IResult InvalidToken(string description) => Results.Challenge(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = OidcErrors.InvalidToken,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Scheme]);

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Scheme]);

    private sealed class SignedOutPage : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) =>
            StandardPages.MessageAsync(httpContext, text => (text["signedOutTitle"], text["signedOutMessage"]));
    }
}
