using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Connect;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login;

/// <summary>A finished sign-in: where the browser goes next, and the session it started (for the SSO cookie).</summary>
public sealed record CompletedSignIn(string RedirectUrl, Guid SessionId);

/// <summary>
/// The end of every successful login method: the user created (when allowed) or updated, a session
/// started, and the face's code issued, all in the caller's transaction so none exists without the others.
/// </summary>
public sealed class SignInCompleter(
    AuthDbContext db,
    SessionService sessions,
    LoginSecrets secrets,
    IOptions<LoginOptions> options,
    IOptions<ServerOptions> server,
    TimeProvider clock)
{
    /// <summary>Finds the user a login method is about to authenticate, applying the organization's rules.</summary>
    public async Task<Outcome<User?>> FindUserAsync(CachedOrganization organization, string normalizedEmail, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.OrganizationId == organization.Id && u.NormalizedEmail == normalizedEmail, cancellationToken);
        if (user is null)
        {
            // Note: telling "unknown user" apart is the organization's choice: it disabled sign-up.
            return organization.Settings.EnableUserCreation ? (User?)null : AuthError.EntityMissing("No user with this email address exists.");
        }

        return user.Blocked ? AuthError.NoPermission("This user is blocked.") : user;
    }

    /// <summary>The user a proven email address belongs to, added to the unit of work when the organization allows sign-up.</summary>
    public async Task<Outcome<User>> EnsureUserAsync(CachedOrganization organization, string email, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email);
        var found = await FindUserAsync(organization, normalized, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var now = clock.GetUtcNow();
        var user = found.Value ?? AddUser(organization.Id, email, normalized, now);
        user.Verified = true;
        user.Updated = now;
        return user;
    }

    public async Task<Outcome<CompletedSignIn>> CompleteAsync(CachedOrganization organization, AuthorizationRequest request, string email, string method, ClientContext client, CancellationToken cancellationToken)
    {
        var ensured = await EnsureUserAsync(organization, email, cancellationToken);
        return ensured.Failed ? ensured.Error! : Complete(organization, request, ensured.Value!, method, client);
    }

    /// <summary>
    /// Completes the sign-in of a user the login method already found and checked (tracked by this request's
    /// context, of this organization, not blocked): a passkey names its user, so no lookup by email is needed.
    /// </summary>
    public CompletedSignIn Complete(CachedOrganization organization, AuthorizationRequest request, User user, string method, ClientContext client)
    {
        var now = clock.GetUtcNow();
        user.LastLogin = now;

        var session = sessions.Start(organization.Id, user, method, client);
        // The request is single use: a finished sign-in cannot be replayed from the same page.
        request.ExpiresAt = now;

        if (request.Face == AuthorizationFace.OpenIdConnect)
        {
            // OpenIddict issues this face's code: back to /connect/authorize, which finds the new session
            // through the SSO cookie. The session needs no app-side verification step there.
            session.VerifiedAt = now;
            return new CompletedSignIn(OidcContinuation.AuthorizeUrl(request.ProtocolQuery), session.Id);
        }

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

        var redirect = AppRedirect.WithCode(request.RedirectUri, code, request.State, server.Value.PublicBaseUri.ToString(), request.Affirm);
        return new CompletedSignIn(redirect, session.Id);
    }

    private User AddUser(Guid organizationId, string email, string normalized, DateTimeOffset now)
    {
        var user = new User
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Email = email.Trim(),
            NormalizedEmail = normalized,
            Created = now,
            Updated = now,
        };
        db.Users.Add(user);
        return user;
    }
}
