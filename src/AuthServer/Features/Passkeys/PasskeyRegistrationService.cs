using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Features.Webhooks;
using AuthServer.Hosting.Telemetry;
using AuthServer.Pages;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthServer.Features.Passkeys;

/// <summary>
/// Registration: the emailed code proves the address, the browser creates a passkey for that user, and the
/// person is signed in with it. An existing user adds another passkey the same way; the ones they have are
/// excluded, so one authenticator is not registered twice.
/// Note: the proof is the emailed code even for someone with a single sign-on session, on purpose: adding a
/// way into an account asks for a fresh proof, not a cookie that may be weeks old.
/// </summary>
public sealed class PasskeyRegistrationService(
    AuthDbContext db,
    PasskeyRequests requests,
    PasskeyCeremonies ceremonies,
    IPasskeyHandler<User> handler,
    PasskeyUserStore store,
    LoginAttemptService attempts,
    SignInCompleter completer,
    PasskeyAudit audit,
    PasskeyLoginMethod method,
    WebhookEvents webhooks,
    PageContextFactory pageContexts,
    TimeProvider clock,
    ILogger<PasskeyRegistrationService> logger)
{
    /// <summary>Checks (and spends) the code; the user is created if the organization allows sign-up. Nobody is signed in yet.</summary>
    public Task<Outcome<PasskeyChallenge>> BeginAsync(Guid? attemptId, string? code, HttpContext context, ClientContext client, CancellationToken cancellationToken)
    {
        if (attemptId is null)
        {
            return Task.FromResult<Outcome<PasskeyChallenge>>(AuthError.MissingFields("attempt"));
        }

        return attempts.CheckCodeThenAsync(attemptId.Value, code, client, (organization, attempt) => OpenAsync(organization, attempt, context, cancellationToken), cancellationToken);
    }

    public async Task<Outcome<CompletedSignIn>> FinishAsync(Guid? ceremonyId, string credentialJson, string? name, HttpContext context, ClientContext client, CancellationToken cancellationToken)
    {
        var result = await FinishInTransactionAsync(ceremonyId, credentialJson, name, context, client, cancellationToken);
        // Recorded after the transaction, on the audit log's own connection; it never fails the sign-in.
        var session = result.Failed ? null : db.Sessions.Local.FirstOrDefault(s => s.Id == result.Value!.SessionId);
        await audit.RecordAsync(result.Error, ceremonyId, session, client.Ip);
        return result;
    }

    private async Task<Outcome<CompletedSignIn>> FinishInTransactionAsync(Guid? ceremonyId, string credentialJson, string? name, HttpContext context, ClientContext client, CancellationToken cancellationToken)
    {
        var spent = await ceremonies.SpendAsync(ceremonyId, PasskeyCeremonyKind.Registration, cancellationToken);
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
        var verified = await handler.PerformAttestationAsync(new PasskeyAttestationContext { HttpContext = context, CredentialJson = credentialJson, AttestationState = ceremony.State });
        if (!verified.Succeeded)
        {
            return PasskeyFailures.Refuse(verified.Failure, ceremony.Id, logger);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == ceremony.UserId && u.OrganizationId == organization.Id, cancellationToken);
        if (user is null || verified.UserEntity.Id != user.Id.ToString())
        {
            return AuthError.PasskeyDataInvalid();
        }

        if (user.Blocked)
        {
            return AuthError.NoPermission("This user is blocked.");
        }

        // The page's language, but not the app's translations: those come with a link anyone can write, and the
        // name is stored in the person's passkey list.
        var text = pageContexts.For(context.Request, organization, request.UiLocales).Text;
        await AddPasskeyAsync(organization.Id, user, verified.Passkey, name, text, cancellationToken);
        var completed = await completer.CompleteAsync(organization, request, user.Email, method, client, cancellationToken);
        if (completed.Failed)
        {
            return completed.Error!;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same credential registered by a concurrent ceremony: the handler's own check ran before it committed.
            return PasskeyFailures.Refuse(new PasskeyException("The credential is already registered."), ceremony.Id, logger);
        }

        await transaction.CommitAsync(cancellationToken);
        return completed.Value!;
    }

    /// <summary>
    /// Stores a verified new passkey of the user (named as given, or "Passkey added {date}" in the language of the
    /// page it was created on: the person reads that name in their passkey list) and queues its
    /// <c>passkey.added</c> webhook, in the caller's unit of work. Returns the credential id in base64url.
    /// </summary>
    internal async Task<string> AddPasskeyAsync(Guid organizationId, User user, UserPasskeyInfo passkey, string? name, PageText page, CancellationToken cancellationToken)
    {
        var given = name?.Trim() ?? "";
        var date = clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var chosen = given.Length == 0 ? page.Format("passkeyDefaultName", ("date", date)) : given;
        passkey.Name = chosen[..Math.Min(chosen.Length, PasskeyChanges.NameMaxLength)];
        await store.AddOrUpdatePasskeyAsync(user, passkey, cancellationToken);
        var credentialId = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(passkey.CredentialId);
        await webhooks.AddAsync(db, organizationId, WebhookEventTypes.PasskeyAdded,
            new { userId = user.Id, organizationId, credentialId, name = passkey.Name }, cancellationToken);
        return credentialId;
    }

    /// <summary>The creation options for a user: every organization shares one relying party id, so the browser's passkey list names the organization.</summary>
    internal Task<PasskeyCreationOptionsResult> CreationOptionsAsync(CachedOrganization organization, User user, HttpContext context) =>
        handler.MakeCreationOptionsAsync(new PasskeyUserEntity { Id = user.Id.ToString(), Name = user.Email, DisplayName = $"{user.Email} ({organization.Name})" }, context);

    private async Task<Outcome<PasskeyChallenge>> OpenAsync(CachedOrganization organization, LoginAttempt attempt, HttpContext context, CancellationToken cancellationToken)
    {
        if (!organization.Connections.Passkey)
        {
            return AuthError.ConnectionMissing();
        }

        var ensured = await completer.EnsureUserAsync(organization, attempt.Email, cancellationToken);
        if (ensured.Failed)
        {
            return ensured.Error!;
        }

        var user = ensured.Value!;
        var made = await CreationOptionsAsync(organization, user, context);
        var ceremony = ceremonies.Add(PasskeyCeremonyKind.Registration, organization.Id, attempt.AuthorizationRequestId!.Value, user.Id, made.AttestationState);
        AuthMetrics.ChallengeIssued("registration");
        return new PasskeyChallenge(ceremony.Id, made.CreationOptionsJson);
    }
}
