using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Login.Lockout;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.SignIn;

/// <summary>A finished sign-in: where the browser goes next, and the session it started (for the SSO cookie).</summary>
public sealed record CompletedSignIn(string RedirectUrl, Guid SessionId)
{
    /// <summary>Who signed in, of which organization, through which request: what a detour before the redirect (the passkey offer) needs.</summary>
    public Guid UserId { get; init; }

    public CachedOrganization? Organization { get; init; }

    public AuthorizationRequest? Request { get; init; }
}

/// <summary>
/// The end of every successful login method: the user created (when allowed) or updated, a session started,
/// the request completed and the face's answer issued, all in the caller's transaction so none exists without
/// the others. It knows neither the method (it gets its amr) nor the face (<see cref="ISignInFace"/>).
/// </summary>
public sealed class SignInCompleter(
    AuthDbContext db,
    SessionService sessions,
    AuthorizationRequestService requests,
    SignInFaces faces,
    EmailLoginLocks locks,
    WebhookEvents webhooks,
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
        if (found.Value is null)
        {
            await webhooks.AddAsync(db, organization.Id, WebhookEventTypes.UserCreated, WebhookUser.From(user), cancellationToken);
        }

        return user;
    }

    public async Task<Outcome<CompletedSignIn>> CompleteAsync(CachedOrganization organization, AuthorizationRequest request, string email, ILoginMethod method, ClientContext client, CancellationToken cancellationToken)
    {
        var ensured = await EnsureUserAsync(organization, email, cancellationToken);
        return ensured.Failed ? ensured.Error! : await CompleteAsync(organization, request, ensured.Value!, method, client, cancellationToken);
    }

    /// <summary>
    /// Completes the sign-in of a user the login method already found and checked (tracked by this request's
    /// context, of this organization, not blocked): a passkey names its user, so no lookup by email is needed.
    /// The request must be tracked and locked by the caller (<see cref="AuthorizationRequestService.LockAsync"/>).
    /// </summary>
    public async Task<CompletedSignIn> CompleteAsync(CachedOrganization organization, AuthorizationRequest request, User user, ILoginMethod method, ClientContext client, CancellationToken cancellationToken)
    {
        // Any successful sign-in (a passkey included) gives the address its budget of wrong codes back.
        await locks.ResetAsync(organization.Id, user.NormalizedEmail, cancellationToken);
        user.LastLogin = clock.GetUtcNow();
        var session = sessions.Start(organization.Id, user, method.Amr, client);
        requests.Complete(request);
        var redirect = faces.For(request).Complete(organization, request, session);
        await webhooks.AddAsync(db, organization.Id, WebhookEventTypes.SignInSucceeded,
            new { sessionId = session.Id, userId = user.Id, organizationId = organization.Id, method = method.Name, amr = method.Amr }, cancellationToken);
        return new CompletedSignIn(redirect, session.Id) { UserId = user.Id, Organization = organization, Request = request };
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
