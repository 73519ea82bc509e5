using System.Text;
using System.Text.Json;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.SignIn;

/// <summary>What validating a browser's authorization request decided.</summary>
public abstract record RequestDecision
{
    /// <summary>The client or redirect URI cannot be trusted: show the error, never redirect.</summary>
    public sealed record ShowError(AuthError Error) : RequestDecision;

    /// <summary>The app is known and its redirect URI trusted: send the error back to it.</summary>
    public sealed record RedirectError(string RedirectUri, string? State, RuleViolation Violation) : RequestDecision;

    public sealed record Accepted(CachedOrganization Organization, AuthorizationRequest Request) : RequestDecision;
}

/// <summary>
/// The one place an authorization request is built, persisted, loaded, locked and completed, whichever face
/// started it (GET /login, /connect/authorize, authenticate_direct). It is persisted so a sign-in can finish
/// on another instance; its <see cref="AuthorizationRequest.Status"/> says whether it can still be used.
/// </summary>
public sealed class AuthorizationRequestService(
    AuthDbContext db,
    OrganizationCache organizations,
    LoginMethods methods,
    DatabaseRateLimiter rateLimiter,
    IOptions<LoginOptions> options,
    TimeProvider clock)
{
    /// <summary>
    /// Validates the CentralAuth face's GET /login in the order docs/errors.md sets: first what decides whether we may
    /// redirect at all (organization, redirect URI), then the protocol rules, reported to the app.
    /// </summary>
    public async Task<RequestDecision> ValidateCentralAuthAsync(RequestParameters parameters, CancellationToken cancellationToken)
    {
        var organization = parameters.IsFaulty("client_id") ? null : await organizations.FindAsync(parameters["client_id"], cancellationToken);
        if (organization is null)
        {
            return new RequestDecision.ShowError(AuthError.OrganizationIdMissing());
        }

        if (parameters.IsFaulty("redirect_uri"))
        {
            return new RequestDecision.ShowError(AuthError.CallbackUrlInvalid("The callback URL was sent twice, or is malformed or too long."));
        }

        var redirectUri = parameters["redirect_uri"];
        if (CheckRedirectUri(organization, redirectUri) is { } redirectError)
        {
            return new RequestDecision.ShowError(redirectError);
        }

        var request = Create(organization, AuthorizationFace.CentralAuth, parameters, protocolQuery: null);
        var violation = AuthorizationRequestRules.CheckProtocol(parameters)
            ?? AuthorizationRequestRules.CheckLoginMethods(methods.AnyEnabled(organization, request));
        return violation is null
            ? new RequestDecision.Accepted(organization, request)
            : new RequestDecision.RedirectError(redirectUri!, parameters.Received("state"), violation);
    }

    /// <summary>
    /// A redirect URI of the CentralAuth face is trusted when it is an absolute http(s) URL without a fragment
    /// whose origin the organization whitelisted (localhost only when allowed). Its path and query are free.
    /// </summary>
    public static AuthError? CheckRedirectUri(CachedOrganization organization, string? redirectUri)
    {
        if (string.IsNullOrEmpty(redirectUri))
        {
            return AuthError.CallbackUrlMissing();
        }

        // Note: control characters and spaces would survive Uri parsing and break (or split) the Location header.
        if (redirectUri.Length > AuthorizationRequestLimits.RedirectUri || redirectUri.Contains('#') || redirectUri.Any(c => c <= ' ' || c == '\u007f')
            || !OriginRules.TryGetOrigin(redirectUri, out var origin))
        {
            return AuthError.CallbackUrlInvalid("The callback URL is not a valid absolute http(s) URL.");
        }

        return OriginRules.IsAllowed(organization, origin) ? null : AuthError.CallbackUrlInvalid();
    }

    /// <summary>
    /// A new pending request from parameters the face already validated. <paramref name="protocolQuery"/> is the
    /// standard face's original query, replayed to OpenIddict once the person has signed in.
    /// </summary>
    public AuthorizationRequest Create(CachedOrganization organization, AuthorizationFace face, RequestParameters parameters, string? protocolQuery)
    {
        var now = clock.GetUtcNow();
        return new AuthorizationRequest
        {
            Id = Guid.NewGuid(),
            OrganizationId = organization.Id,
            Face = face,
            RedirectUri = parameters["redirect_uri"] ?? "",
            State = parameters["state"] ?? "",
            // authenticate_direct has none: the app is authenticated with its secret and gets the code on its own callback.
            CodeChallenge = parameters["code_challenge"] ?? "",
            Nonce = parameters["nonce"],
            Scope = parameters["scope"],
            LoginHint = AuthorizationRequestRules.LoginHint(parameters["login_hint"] ?? parameters["email"]),
            Affirm = parameters["affirm"] == "1",
            Embed = parameters["embed"] == "1",
            UiLocales = parameters["ui_locales"],
            Translations = DecodeTranslations(parameters["translations"]),
            ProtocolQuery = protocolQuery,
            Created = now,
            ExpiresAt = now + options.Value.AuthorizationRequestLifetime,
            Status = AuthorizationRequestStatus.Pending,
        };
    }

    /// <summary>
    /// Persists a request a browser opened. Every page view writes a row, so views are counted per IP (like the
    /// passkey challenge each page opens); rows are deleted by ExpiredDataCleanup a day after they expire.
    /// </summary>
    public async Task<Outcome<AuthorizationRequest>> AddForBrowserAsync(AuthorizationRequest request, string? ip, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (await rateLimiter.HitAsync($"request:ip:{ip}", limits.MaxAuthorizationRequestsPerIp, limits.RateLimitWindow, cancellationToken) is { } wait)
        {
            return AuthError.TooManyRequests(wait);
        }

        db.AuthorizationRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        return request;
    }

    /// <summary>A request a page or a login method works on, read without tracking; refused unless still pending.</summary>
    public async Task<Outcome<(CachedOrganization Organization, AuthorizationRequest Request)>> LoadAsync(Guid? requestId, CancellationToken cancellationToken)
    {
        var request = requestId is null ? null : await db.AuthorizationRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        return await WithOrganizationAsync(request, cancellationToken);
    }

    /// <summary>
    /// Locks the request row in the caller's transaction (<c>FOR UPDATE</c>): two login methods (two codes, a code
    /// and a passkey) racing on one page cannot both complete it.
    /// </summary>
    public async Task<Outcome<(CachedOrganization Organization, AuthorizationRequest Request)>> LockAsync(Guid? requestId, CancellationToken cancellationToken) =>
        await WithOrganizationAsync(await LockRowAsync(requestId, cancellationToken), cancellationToken);

    /// <summary>Locks and returns the row whatever its status, for a caller that checks its own state first (a used code reads as used).</summary>
    public async Task<AuthorizationRequest?> LockRowAsync(Guid? requestId, CancellationToken cancellationToken) => requestId is null
        ? null
        : (await db.AuthorizationRequests.FromSql($"SELECT * FROM authorization_requests WHERE \"Id\" = {requestId} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();

    /// <summary>Where the request stands now: a pending request past its lifetime is expired.</summary>
    public AuthorizationRequestStatus StatusOf(AuthorizationRequest request) =>
        request.Status == AuthorizationRequestStatus.Pending && request.ExpiresAt <= clock.GetUtcNow() ? AuthorizationRequestStatus.Expired : request.Status;

    /// <summary>Why a request that is not pending cannot be used (null when it can).</summary>
    public AuthError? Unusable(AuthorizationRequest? request) => request is null
        ? AuthError.EntityMissing("This sign-in page does not exist. Go back to the app and start again.")
        : StatusOf(request) switch
        {
            AuthorizationRequestStatus.Pending => null,
            AuthorizationRequestStatus.Completed => AuthError.EntityMissing("This sign-in was already completed. Go back to the app."),
            _ => AuthError.EntityMissing("This sign-in page has expired. Go back to the app and start again."),
        };

    /// <summary>Marks a tracked request completed, in the caller's unit of work: a finished sign-in cannot be replayed from its page.</summary>
    public void Complete(AuthorizationRequest request)
    {
        request.Status = AuthorizationRequestStatus.Completed;
        request.CompletedAt = clock.GetUtcNow();
    }

    private async Task<Outcome<(CachedOrganization, AuthorizationRequest)>> WithOrganizationAsync(AuthorizationRequest? request, CancellationToken cancellationToken)
    {
        if (Unusable(request) is { } error)
        {
            return error;
        }

        var organization = await organizations.FindAsync(request!.OrganizationId, cancellationToken);
        return organization is null ? AuthError.OrganizationIdMissing() : (organization, request);
    }

    /// <summary>The CentralAuth face's `translations`: base64 of a JSON object of strings. Anything else is ignored.</summary>
    private static string? DecodeTranslations(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return null;
        }

        try
        {
            var normalized = encoded.Replace('-', '+').Replace('_', '/');
            normalized = normalized.PadRight(normalized.Length + ((4 - (normalized.Length % 4)) % 4), '=');
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(normalized));
            // Read as the pages read it: a null value leaves its key to the next layer.
            var values = AuthServer.Pages.PageText.ParseOverrides(json);
            // Note: PostgreSQL's jsonb cannot hold U+0000, and no UI string needs a control character.
            return values is null || values.Count == 0 || values.Any(v => v.Key.Any(char.IsControl) || v.Value.Any(char.IsControl))
                ? null
                : JsonSerializer.Serialize(values);
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }
}
