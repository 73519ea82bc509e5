using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Features.Login.Challenge;
using AuthServer.Features.Login.Email;
using AuthServer.Features.Login.Links;
using AuthServer.Features.Login.Lockout;
using AuthServer.Features.Organizations;
using AuthServer.Features.RateLimiting;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Hosting;
using AuthServer.Hosting.Telemetry;
using AuthServer.Pages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login;

public sealed record StartedAttempt(LoginAttempt Attempt, DateTimeOffset AllowedDate);

/// <summary>What the page's script sent for the proof of work: the puzzle and the counter it found (either may be missing).</summary>
public sealed record ProofOfWorkAnswer(Guid? PuzzleId, string? Counter);

/// <summary>What a GET of an emailed link shows: whose sign-in, whether this browser asked for it, the number to compare.</summary>
public sealed record LinkPreview(CachedOrganization Organization, bool SameDevice, string? ApprovalNumber, bool Approved);

/// <summary>The waiting page's view of a link attempt.</summary>
public static class LinkStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Declined = "declined";
    public const string Completed = "completed";
    public const string Expired = "expired";
}

/// <summary>
/// The emailed code or link: start an attempt (rate limited, one queued email), then check the code or link
/// once. A check locks the attempt row, so two concurrent checks cannot both succeed or both count.
/// </summary>
public sealed class LoginAttemptService(
    AuthDbContext db,
    OrganizationCache organizations,
    DatabaseRateLimiter rateLimiter,
    LoginSecrets secrets,
    SignInCompleter completer,
    AuthorizationRequestService requests,
    EmailLoginMethod method,
    EmailOutbox outbox,
    AuditTrail audit,
    EmailLoginLocks locks,
    ProofOfWork proofOfWork,
    IOptions<LoginOptions> options,
    IOptions<ServerOptions> server,
    LoginEmailComposer composer,
    PageContextFactory pages,
    IHttpContextAccessor http,
    TimeProvider clock)
{
    public async Task<Outcome<StartedAttempt>> StartAsync(
        CachedOrganization organization, AuthorizationRequest request, string? emailAddress, ClientContext client, EmailLoginType? forcedType, CancellationToken cancellationToken,
        byte[]? browserBindingHash = null, ProofOfWorkAnswer? browserProof = null)
    {
        var limits = options.Value;
        if (!EmailAddress.IsValid(emailAddress))
        {
            return AuthError.EntityInvalid("email", "Enter a valid email address.");
        }

        if (!organization.Connections.Email)
        {
            return AuthError.ConnectionMissing();
        }

        var normalized = EmailAddress.Normalize(emailAddress!);
        var user = await completer.FindUserAsync(organization, normalized, cancellationToken);
        if (user.Failed)
        {
            return user.Error!;
        }

        // No code or link for an address whose budget of wrong codes is spent: it could not be checked anyway.
        if (await locks.IsLockedAsync(organization.Id, normalized, cancellationToken))
        {
            return AuthError.EmailLoginLocked();
        }

        // A browser past the organization's threshold pays a proof of work first (authenticate_direct is the app's
        // own authenticated call and is not asked).
        if (browserProof is not null && await proofOfWork.RequiredDifficultyAsync(organization, client.Ip, normalized, cancellationToken) is { } difficulty
            && await proofOfWork.SpendAsync(browserProof.PuzzleId, browserProof.Counter, request.Id, difficulty, cancellationToken) is { } refused)
        {
            return refused;
        }

        var now = clock.GetUtcNow();
        var last = await db.LoginAttempts.Where(a => a.OrganizationId == organization.Id && a.NormalizedEmail == normalized)
            .OrderByDescending(a => a.Created).Select(a => (DateTimeOffset?)a.Created).FirstOrDefaultAsync(cancellationToken);
        if (last is { } lastSent && now - lastSent < limits.ResendInterval)
        {
            return AuthError.TooManyRequests((int)Math.Ceiling((lastSent + limits.ResendInterval - now).TotalSeconds));
        }

        var wait = await rateLimiter.HitAsync(
            [new($"send:email:{organization.Id:N}:{normalized}", limits.MaxEmailsPerAddress), new($"send:ip:{client.Ip}", limits.MaxEmailsPerIp)],
            limits.RateLimitWindow, cancellationToken);
        if (wait is { } seconds)
        {
            return AuthError.TooManyRequests(seconds);
        }

        var type = forcedType ?? organization.Settings.DefaultEmailLoginType;
        var attemptId = Guid.NewGuid();
        var code = LoginSecrets.NewCode();
        var linkToken = LoginSecrets.NewToken();
        var attempt = new LoginAttempt
        {
            Id = attemptId,
            OrganizationId = organization.Id,
            AuthorizationRequestId = request.Id,
            Email = emailAddress!.Trim(),
            NormalizedEmail = normalized,
            Type = type,
            CodeHash = secrets.Hash(code, attemptId.ToString()),
            LinkTokenHash = secrets.Hash(linkToken, attemptId.ToString()),
            Ip = client.Ip,
            UserAgent = client.UserAgent,
            Created = now,
            ExpiresAt = now + limits.AttemptLifetime,
            BrowserBindingHash = browserBindingHash,
            // Compared by the person between the waiting page and a link opened on another device.
            ApprovalNumber = browserBindingHash is null || type != EmailLoginType.Link ? null : System.Security.Cryptography.RandomNumberGenerator.GetInt32(10, 100).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var link = $"{server.Value.PublicOrigin}/login/link?attempt={attemptId}&token={linkToken}";
        // The email speaks the page's language: the app's ui_locales, the browser's Accept-Language (none on
        // authenticate_direct, which an app's server calls), the organization's default.
        var page = pages.For(http.HttpContext?.Request, organization, request.UiLocales, request.Translations);
        var message = await composer.ComposeAsync(page, attempt.Email, type == EmailLoginType.Code ? code : null, type == EmailLoginType.Link ? link : null,
            limits.AttemptLifetime, server.Value.PublicOrigin);
        db.LoginAttempts.Add(attempt);
        // Queued in the attempt's own transaction: the email exists exactly when the attempt does, and the
        // page answers without waiting for the mail server (OutboxEmailDispatcher sends it).
        outbox.Add(organization.Id, type == EmailLoginType.Code ? EmailOutbox.Kinds.SignInCode : EmailOutbox.Kinds.SignInLink, message, attempt.ExpiresAt);
        await db.SaveChangesAsync(cancellationToken);
        outbox.Committed();
        AuthMetrics.SignInStarted(organization.Id, type == EmailLoginType.Code ? "code" : "link");

        return new StartedAttempt(attempt, now + limits.ResendInterval);
    }

    public Task<Outcome<CompletedSignIn>> CheckCodeAsync(Guid attemptId, string? code, ClientContext client, CancellationToken cancellationToken) =>
        CheckAsync(attemptId, code, a => a.CodeHash, "code", client, cancellationToken);

    public Task<Outcome<CompletedSignIn>> CheckLinkAsync(Guid attemptId, string? token, ClientContext client, CancellationToken cancellationToken) =>
        CheckAsync(attemptId, token, a => a.LinkTokenHash, "link", client, cancellationToken);

    /// <summary>
    /// Checks the code like <see cref="CheckCodeAsync"/>, but hands the proven attempt to <paramref name="then"/>
    /// instead of signing in (passkey registration). It runs in the attempt's transaction: its changes are
    /// committed with the spent attempt, and nothing is spent when it fails.
    /// </summary>
    public Task<Outcome<T>> CheckCodeThenAsync<T>(Guid attemptId, string? code, ClientContext client, Func<CachedOrganization, LoginAttempt, Task<Outcome<T>>> then, CancellationToken cancellationToken) =>
        CheckInTransactionAsync(attemptId, code, a => a.CodeHash, client, then, cancellationToken);

    /// <summary>
    /// A link opened on another device than the one that asked for it: checks the link like a sign-in (wrong
    /// tokens count against the address's budget) but only marks the attempt approved; the waiting browser
    /// completes the sign-in (<see cref="FinishApprovedAsync"/>). <paramref name="approve"/> false is "This wasn't
    /// me": the attempt is cancelled and nobody is signed in.
    /// </summary>
    public async Task<Outcome<bool>> DecideLinkAsync(Guid attemptId, string? token, bool approve, ClientContext client, CancellationToken cancellationToken)
    {
        var result = await CheckInTransactionAsync(attemptId, token, a => a.LinkTokenHash, client, (_, attempt) =>
        {
            var now = clock.GetUtcNow();
            if (approve)
            {
                attempt.ApprovedAt = now;
            }
            else
            {
                attempt.DeclinedAt = now;
                attempt.CompletedAt = now;
            }

            return Task.FromResult(Outcome<bool>.From(true));
        }, cancellationToken, spend: false);
        await audit.TryRecordEventAsync(AuditActor.User(null, client.Ip), approve ? "signin.email.approve" : "signin.email.decline", AuditTrail.Targets.LoginAttempt,
            attemptId.ToString(), await OrganizationIdOfAsync(attemptId, cancellationToken), result.Error?.Code ?? AuditTrail.Success);

        return result;
    }

    /// <summary>
    /// The waiting browser's side of an approval: once the link was approved on another device, the browser that
    /// asked for the email (its binding cookie proves it) completes the sign-in, with its own PKCE context and
    /// cookies. Single use like every completion: the attempt row is locked and completed once.
    /// </summary>
    public async Task<Outcome<CompletedSignIn>> FinishApprovedAsync(Guid attemptId, string? browserBinding, ClientContext client, CancellationToken cancellationToken)
    {
        var result = await FinishApprovedInTransactionAsync(attemptId, browserBinding, client, cancellationToken);
        var session = result.Failed ? null : db.Sessions.Local.FirstOrDefault(s => s.Id == result.Value!.SessionId);
        await audit.TryRecordSignInAsync(LoginMethods.AuditAction(method), result.Error, session, AuditTrail.Targets.LoginAttempt, attemptId,
            async own => (await own.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => (Guid?)a.OrganizationId).SingleOrDefaultAsync(), null), client.Ip, "link");
        return result;
    }

    /// <summary>Where a link attempt stands, for the waiting page's poll (one indexed read). Only its own browser may ask.</summary>
    public async Task<Outcome<string>> LinkStatusAsync(Guid attemptId, string? browserBinding, CancellationToken cancellationToken)
    {
        var attempt = await db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId)
            .Select(a => new { a.BrowserBindingHash, a.ApprovedAt, a.DeclinedAt, a.CompletedAt, a.ExpiresAt }).SingleOrDefaultAsync(cancellationToken);
        if (attempt is null || !BindingMatches(attempt.BrowserBindingHash, browserBinding, attemptId))
        {
            return AuthError.LoginAttemptMissing();
        }

        return attempt switch
        {
            { DeclinedAt: not null } => LinkStatuses.Declined,
            { CompletedAt: not null } => LinkStatuses.Completed,
            { ApprovedAt: not null } => LinkStatuses.Approved,
            _ when clock.GetUtcNow() >= attempt.ExpiresAt => LinkStatuses.Expired,
            _ => LinkStatuses.Pending,
        };
    }

    /// <summary>
    /// What GET /login/link may know without changing anything: whether the token is right (not counted: a
    /// mail scanner's fetch must cost the person nothing, and 256-bit tokens cannot be guessed), and whether this
    /// browser is the one that asked. Never consumes, never signs in.
    /// </summary>
    public async Task<Outcome<LinkPreview>> PreviewLinkAsync(Guid attemptId, string? token, string? browserBinding, CancellationToken cancellationToken)
    {
        var attempt = await db.LoginAttempts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken);
        if (attempt is null)
        {
            return AuthError.LoginAttemptMissing();
        }

        if (string.IsNullOrEmpty(token) || token.Length > 256 || !secrets.Matches(attempt.LinkTokenHash, token.Trim(), attemptId.ToString()))
        {
            return AuthError.LoginAttemptInvalid("This sign-in link is not valid. Use the latest email, or start again.");
        }

        if (attempt.DeclinedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This sign-in was cancelled.");
        }

        if (attempt.CompletedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This code or link was already used.");
        }

        if (clock.GetUtcNow() >= attempt.ExpiresAt)
        {
            return AuthError.LoginAttemptExpired();
        }

        var organization = await OrganizationFor(attempt, cancellationToken);
        if (organization is null)
        {
            return AuthError.OrganizationIdMissing();
        }

        var sameDevice = attempt.BrowserBindingHash is null || BindingMatches(attempt.BrowserBindingHash, browserBinding, attemptId);
        return new LinkPreview(organization, sameDevice, attempt.ApprovalNumber, attempt.ApprovedAt is not null);
    }

    /// <summary>Whether this browser asked for the attempt's email (or nobody's browser did: authenticate_direct).</summary>
    public async Task<bool> IsAskingBrowserAsync(Guid attemptId, string? browserBinding, CancellationToken cancellationToken)
    {
        var stored = await db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => new { a.BrowserBindingHash }).SingleOrDefaultAsync(cancellationToken);
        return stored is not null && (stored.BrowserBindingHash is null || BindingMatches(stored.BrowserBindingHash, browserBinding, attemptId));
    }

    private bool BindingMatches(byte[]? stored, string? presented, Guid attemptId) =>
        stored is not null && !string.IsNullOrEmpty(presented) && presented.Length <= 256 && secrets.Matches(stored, presented, BrowserBinding.HashContext);

    private Task<Guid?> OrganizationIdOfAsync(Guid attemptId, CancellationToken cancellationToken) =>
        db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => (Guid?)a.OrganizationId).SingleOrDefaultAsync(cancellationToken);

    private async Task<Outcome<CompletedSignIn>> FinishApprovedInTransactionAsync(Guid attemptId, string? browserBinding, ClientContext client, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var attempt = (await db.LoginAttempts.FromSql($"SELECT * FROM login_attempts WHERE \"Id\" = {attemptId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();
        if (attempt is null || !BindingMatches(attempt.BrowserBindingHash, browserBinding, attemptId))
        {
            return AuthError.LoginAttemptMissing();
        }

        if (attempt.DeclinedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This sign-in was cancelled from the email (\"This wasn't me\"). Start again if it was you.");
        }

        if (attempt.CompletedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This code or link was already used.");
        }

        if (attempt.ApprovedAt is null)
        {
            return AuthError.LoginAttemptInvalid("The sign-in has not been approved yet. Open the link in the email and approve it.");
        }

        if (attempt.AuthorizationRequestId is not { } requestId || await requests.LockRowAsync(requestId, cancellationToken) is not { } request)
        {
            return AuthError.LoginAttemptMissing();
        }

        if (requests.StatusOf(request) != AuthorizationRequestStatus.Pending)
        {
            return AuthError.LoginAttemptInvalid("This sign-in was already completed or has expired. Go back to the app and start again.");
        }

        // The approval must come within the attempt's lifetime; the waiting page may finish a little later.
        if (attempt.ApprovedAt >= attempt.ExpiresAt)
        {
            return AuthError.LoginAttemptExpired();
        }

        var organization = await OrganizationFor(attempt, cancellationToken);
        if (organization is null)
        {
            return AuthError.OrganizationIdMissing();
        }

        attempt.CompletedAt = clock.GetUtcNow();
        var completed = await completer.CompleteAsync(organization, request, attempt.Email, method, client, cancellationToken);
        if (completed.Failed)
        {
            return completed.Error!;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed.Value!;
    }

    private async Task<Outcome<CompletedSignIn>> CheckAsync(Guid attemptId, string? presented, Func<LoginAttempt, byte[]> storedHash, string metricMethod, ClientContext client, CancellationToken cancellationToken)
    {
        var result = await CheckInTransactionAsync(attemptId, presented, storedHash, client,
            (organization, attempt) => completer.CompleteAsync(organization, attempt.AuthorizationRequest!, attempt.Email, method, client, cancellationToken),
            cancellationToken);
        // Recorded once the attempt's transaction is over (committed, or rolled back for a failure), on the
        // audit log's own connection; a lost audit line never turns a sign-in into an error.
        var session = result.Failed ? null : db.Sessions.Local.FirstOrDefault(s => s.Id == result.Value!.SessionId);
        await audit.TryRecordSignInAsync(LoginMethods.AuditAction(method), result.Error, session, AuditTrail.Targets.LoginAttempt, attemptId, async own =>
        {
            var attempt = await own.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => new { a.OrganizationId, a.NormalizedEmail }).SingleOrDefaultAsync();
            var userId = attempt is null
                ? null
                : await own.Users.Where(u => u.OrganizationId == attempt.OrganizationId && u.NormalizedEmail == attempt.NormalizedEmail).Select(u => (Guid?)u.Id).SingleOrDefaultAsync();
            return (attempt?.OrganizationId, userId);
        }, client.Ip, metricMethod);
        return result;
    }

    private async Task<Outcome<T>> CheckInTransactionAsync<T>(Guid attemptId, string? presented, Func<LoginAttempt, byte[]> storedHash, ClientContext client,
        Func<CachedOrganization, LoginAttempt, Task<Outcome<T>>> then, CancellationToken cancellationToken, bool spend = true)
    {
        var limits = options.Value;
        // Counted before the transaction below, so a refused check still counts.
        var owner = await db.LoginAttempts.AsNoTracking().Where(a => a.Id == attemptId)
            .Select(a => new { a.OrganizationId, a.NormalizedEmail }).SingleOrDefaultAsync(cancellationToken);
        List<RateLimit> checkLimits = [new($"check:ip:{client.Ip}", limits.MaxCodeChecksPerIp)];
        if (owner is not null)
        {
            checkLimits.Add(new($"check:email:{owner.OrganizationId:N}:{owner.NormalizedEmail}", limits.MaxCodeChecksPerAddress));
        }

        var wait = await rateLimiter.HitAsync(checkLimits, limits.RateLimitWindow, cancellationToken);
        if (wait is { } seconds)
        {
            return AuthError.TooManyRequests(seconds);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var attempt = (await db.LoginAttempts.FromSql($"SELECT * FROM login_attempts WHERE \"Id\" = {attemptId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();
        if (attempt?.AuthorizationRequestId is { } requestId)
        {
            // Locked too: two attempts started on one page cannot both complete it. Its state is checked below,
            // after the attempt's own, so a used code still reads as used.
            attempt.AuthorizationRequest = await requests.LockRowAsync(requestId, cancellationToken);
        }

        if (attempt?.AuthorizationRequest is null)
        {
            return AuthError.LoginAttemptMissing();
        }

        if (attempt.DeclinedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This sign-in was cancelled from the email (\"This wasn't me\"). Start again if it was you.");
        }

        if (attempt.CompletedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This code or link was already used.");
        }

        if (!spend && attempt.ApprovedAt is not null)
        {
            return AuthError.LoginAttemptInvalid("This sign-in was already approved. Continue on the device where you started.");
        }

        // Locks the address's budget row too: a concurrent check of another attempt of this address waits here.
        if (await locks.HoldAsync(attempt.OrganizationId, attempt.NormalizedEmail, cancellationToken))
        {
            return AuthError.EmailLoginLocked();
        }

        if (attempt.FailedChecks >= limits.MaxWrongCodes)
        {
            return AuthError.LoginAttemptInvalid("Too many wrong codes. Request a new code.");
        }

        var now = clock.GetUtcNow();
        if (requests.StatusOf(attempt.AuthorizationRequest) != AuthorizationRequestStatus.Pending)
        {
            return AuthError.LoginAttemptInvalid("This sign-in was already completed or has expired. Go back to the app and start again.");
        }

        if (now >= attempt.ExpiresAt)
        {
            return AuthError.LoginAttemptExpired();
        }

        if (string.IsNullOrEmpty(presented) || presented.Length > 256 || !secrets.Matches(storedHash(attempt), presented.Trim(), attemptId.ToString()))
        {
            attempt.FailedChecks++;
            // The lock email (when this failure spends the budget) speaks the login page's language.
            var page = pages.For(http.HttpContext?.Request, await OrganizationFor(attempt, cancellationToken),
                attempt.AuthorizationRequest.UiLocales, attempt.AuthorizationRequest.Translations);
            var failed = await locks.RecordFailureAsync(attempt.OrganizationId, attempt.NormalizedEmail, attempt.Email, page, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (failed.SpentNow)
            {
                outbox.Committed();
                await audit.TryRecordEventAsync(AuditActor.User(null, client.Ip), EmailLoginLocks.LockAction, EmailLoginLocks.AuditTarget, attempt.NormalizedEmail,
                    attempt.OrganizationId, ErrorCatalog.EmailLoginLocked.Code);
            }

            if (failed.Locked)
            {
                return AuthError.EmailLoginLocked();
            }

            return attempt.FailedChecks >= limits.MaxWrongCodes
                ? AuthError.LoginAttemptInvalid("Too many wrong codes. Request a new code.")
                : AuthError.LoginAttemptInvalid();
        }

        var organization = await OrganizationFor(attempt, cancellationToken);
        if (organization is null)
        {
            return AuthError.OrganizationIdMissing();
        }

        if (spend)
        {
            attempt.CompletedAt = now;
        }

        var completed = await then(organization, attempt);
        if (completed.Failed)
        {
            return completed.Error!;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return completed.Value!;
    }

    private Task<CachedOrganization?> OrganizationFor(LoginAttempt attempt, CancellationToken cancellationToken) =>
        organizations.FindAsync(attempt.OrganizationId, cancellationToken);
}
