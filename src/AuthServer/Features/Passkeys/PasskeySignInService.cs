using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.RateLimiting;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Hosting.Telemetry;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Passkeys;

/// <summary>
/// Sign-in with a discoverable passkey: no email is typed, the authenticator tells whose passkey it is
/// (the user handle), and the handler verifies it against the stored public key.
/// </summary>
public sealed class PasskeySignInService(
    AuthDbContext db,
    PasskeyRequests requests,
    PasskeyCeremonies ceremonies,
    IPasskeyHandler<User> handler,
    PasskeyUserStore store,
    SignInCompleter completer,
    PasskeyAudit audit,
    PasskeyLoginMethod method,
    DatabaseRateLimiter rateLimiter,
    IOptions<PasskeyOptions> options,
    IOptions<LoginOptions> loginOptions,
    TimeProvider clock,
    ILogger<PasskeySignInService> logger)
{
    public async Task<Outcome<PasskeyChallenge>> BeginAsync(Guid? requestId, HttpContext context, ClientContext client, CancellationToken cancellationToken)
    {
        var loaded = await requests.LoadAsync(requestId, cancellationToken);
        if (loaded.Failed)
        {
            return loaded.Error!;
        }

        // Every ceremony is a row: an anonymous caller may not open them without limit.
        if (await rateLimiter.HitAsync($"passkey:ip:{client.Ip}", options.Value.MaxCeremoniesPerIp, loginOptions.Value.RateLimitWindow, cancellationToken) is { } wait)
        {
            return AuthError.TooManyRequests(wait);
        }

        var (organization, request) = loaded.Value;
        // No user: the allow list stays empty, so the browser offers every passkey it holds for us.
        var made = await handler.MakeRequestOptionsAsync(null, context);
        var ceremony = ceremonies.Add(PasskeyCeremonyKind.Assertion, organization.Id, request.Id, null, made.AssertionState);
        await db.SaveChangesAsync(cancellationToken);
        AuthMetrics.SignInStarted(organization.Id, PasskeyLoginMethod.MethodName);
        AuthMetrics.ChallengeIssued("signin");
        return new PasskeyChallenge(ceremony.Id, made.RequestOptionsJson);
    }

    public async Task<Outcome<CompletedSignIn>> FinishAsync(Guid? ceremonyId, string credentialJson, HttpContext context, ClientContext client, CancellationToken cancellationToken)
    {
        var result = await FinishInTransactionAsync(ceremonyId, credentialJson, context, client, cancellationToken);
        // Recorded after the transaction, on the audit log's own connection; it never fails the sign-in.
        var session = result.Failed ? null : db.Sessions.Local.FirstOrDefault(s => s.Id == result.Value!.SessionId);
        await audit.RecordAsync(result.Error, ceremonyId, session, client.Ip);
        return result;
    }

    private async Task<Outcome<CompletedSignIn>> FinishInTransactionAsync(Guid? ceremonyId, string credentialJson, HttpContext context, ClientContext client, CancellationToken cancellationToken)
    {
        var spent = await ceremonies.SpendAsync(ceremonyId, PasskeyCeremonyKind.Assertion, cancellationToken);
        if (spent.Failed)
        {
            return spent.Error!;
        }

        var ceremony = spent.Value!;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await requests.LockAsync(ceremony.AuthorizationRequestId, cancellationToken);
        if (locked.Failed)
        {
            return locked.Error!;
        }

        var (organization, request) = locked.Value;
        var verified = await handler.PerformAssertionAsync(new PasskeyAssertionContext { HttpContext = context, CredentialJson = credentialJson, AssertionState = ceremony.State });
        if (!verified.Succeeded)
        {
            return PasskeyFailures.Refuse(verified.Failure, ceremony.Id, logger);
        }

        var user = verified.User;
        if (user.OrganizationId != organization.Id)
        {
            return AuthError.PasskeyWrongOrganization();
        }

        if (user.Blocked)
        {
            return AuthError.NoPermission("This user is blocked.");
        }

        if (!await store.RecordUseAsync(verified.Passkey, clock.GetUtcNow(), cancellationToken))
        {
            // Another answer with this counter value was accepted in the meantime: a replay.
            return PasskeyFailures.Refuse(new PasskeyException("The sign count was already used."), ceremony.Id, logger);
        }

        // The handler loaded the user through this context (tracked), and it was checked just above.
        var completed = await completer.CompleteAsync(organization, request, user, method, client, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed;
    }
}
