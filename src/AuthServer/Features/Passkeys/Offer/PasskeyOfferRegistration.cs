using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.RateLimiting;
using AuthServer.Features.Sessions;
using AuthServer.Hosting.Telemetry;
using AuthServer.Pages;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthServer.Features.Passkeys.Offer;

/// <summary>
/// The offer's WebAuthn registration for a person who has just signed in: the proof is the sign-in that
/// finished moments ago (its session, named by the offer's protected state and by this browser's SSO cookie
/// alike), not a new emailed code. Nobody is signed in here: the passkey is stored, and the browser continues
/// to the redirect the sign-in built. Ceremonies of this kind (<see cref="PasskeyCeremonyKind.SignedInRegistration"/>)
/// cannot be answered at the sign-in endpoints, nor theirs here.
/// </summary>
public sealed class PasskeyOfferRegistration(
    AuthDbContext db,
    PasskeyOfferStates states,
    SessionCookie sessionCookie,
    SessionValidator sessions,
    OrganizationCache organizations,
    DatabaseRateLimiter rateLimiter,
    IOptions<LoginOptions> loginOptions,
    PasskeyCeremonies ceremonies,
    PasskeyRegistrationService registration,
    IPasskeyHandler<User> handler,
    AuditTrail audit,
    PageContextFactory pageContexts,
    ILogger<PasskeyOfferRegistration> logger)
{
    public const string AuditAction = "passkey.add";

    /// <summary>Challenges one offer (one session) may open per Login:RateLimitWindow: each is a row, and a person retries a few times at most.</summary>
    public const int MaxCeremoniesPerSession = 10;

    public async Task<Outcome<PasskeyChallenge>> BeginAsync(string? state, HttpContext context, CancellationToken cancellationToken)
    {
        var signedIn = await SignedInAsync(state, context, cancellationToken);
        if (signedIn.Failed)
        {
            return signedIn.Error!;
        }

        var (offer, organization, user) = signedIn.Value;
        if (await rateLimiter.HitAsync($"passkey-offer:session:{offer.SessionId:N}", MaxCeremoniesPerSession, loginOptions.Value.RateLimitWindow, cancellationToken) is { } wait)
        {
            return AuthError.TooManyRequests(wait);
        }

        var made = await registration.CreationOptionsAsync(organization, user, context);
        var ceremony = ceremonies.Add(PasskeyCeremonyKind.SignedInRegistration, organization.Id, offer.RequestId, user.Id, made.AttestationState);
        await db.SaveChangesAsync(cancellationToken);
        AuthMetrics.ChallengeIssued("registration");
        return new PasskeyChallenge(ceremony.Id, made.CreationOptionsJson);
    }

    /// <summary>Verifies and stores the new passkey; returns where the browser goes next (the sign-in's own redirect).</summary>
    public async Task<Outcome<string>> FinishAsync(Guid? ceremonyId, string credentialJson, string? state, string? name, HttpContext context, CancellationToken cancellationToken)
    {
        var spent = await ceremonies.SpendAsync(ceremonyId, PasskeyCeremonyKind.SignedInRegistration, cancellationToken);
        if (spent.Failed)
        {
            return spent.Error!;
        }

        var signedIn = await SignedInAsync(state, context, cancellationToken);
        if (signedIn.Failed)
        {
            return signedIn.Error!;
        }

        var (offer, organization, user) = signedIn.Value;
        var ceremony = spent.Value!;
        if (ceremony.UserId != user.Id || ceremony.OrganizationId != organization.Id)
        {
            return AuthError.PasskeyDataInvalid();
        }

        var verified = await handler.PerformAttestationAsync(new PasskeyAttestationContext { HttpContext = context, CredentialJson = credentialJson, AttestationState = ceremony.State });
        if (!verified.Succeeded)
        {
            return PasskeyFailures.Refuse(verified.Failure, ceremony.Id, logger);
        }

        if (verified.UserEntity.Id != user.Id.ToString())
        {
            return AuthError.PasskeyDataInvalid();
        }

        // The offer page's language (its ui_locales, else the browser's); never the app's translations, which
        // anyone writing a login link controls.
        var text = pageContexts.For(context.Request, organization, offer.UiLocales).Text;
        var credentialId = await registration.AddPasskeyAsync(organization.Id, user, verified.Passkey, name, text, cancellationToken);
        audit.Add(AuditActor.User(user.Id, ClientContext.FromBrowser(context).Ip), AuditAction, AuditTrail.Targets.Passkey, credentialId, organization.Id);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return PasskeyFailures.Refuse(new PasskeyException("The credential is already registered."), ceremony.Id, logger);
        }

        return offer.RedirectUrl;
    }

    /// <summary>
    /// The offer's session, alive, of this browser (its SSO cookie names the same session), with its user
    /// (tracked: a passkey is added to it). A state from another browser or a session ended since is refused.
    /// </summary>
    private async Task<Outcome<(PasskeyOfferState Offer, CachedOrganization Organization, User User)>> SignedInAsync(string? state, HttpContext context, CancellationToken cancellationToken)
    {
        if (states.Read(state) is not { } offer)
        {
            return AuthError.EntityInvalid("state", "The page expired. Continue to the app and add a passkey on your next sign-in.");
        }

        if (sessionCookie.Read(context) != offer.SessionId)
        {
            return AuthError.SessionMissing();
        }

        var session = await sessions.ValidateForTokenAsync(offer.SessionId, cancellationToken);
        if (session.Failed)
        {
            return session.Error!;
        }

        var organization = await organizations.FindAsync(offer.OrganizationId, cancellationToken);
        if (organization is null || !organization.Connections.Passkey)
        {
            return AuthError.ConnectionMissing();
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == offer.UserId && u.OrganizationId == organization.Id, cancellationToken);
        return user is null || session.Value!.UserId != user.Id ? AuthError.SessionMissing() : (offer, organization, user);
    }
}
