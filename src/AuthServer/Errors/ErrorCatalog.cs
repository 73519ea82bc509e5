namespace AuthServer.Errors;

/// <summary>One entry of the error catalog: the code clients switch on, its HTTP status, and a safe message.</summary>
public sealed record ErrorDefinition(string Code, int Status, string Description, bool Retryable);

/// <summary>
/// The single error catalog (docs/errors.md). Every JSON error the server answers is one of these;
/// GET /api/v1/errors publishes the list so clients and docs come from the same source.
/// </summary>
public static class ErrorCatalog
{
    public static readonly ErrorDefinition GenericError = new("genericError", 500, "An unexpected error occurred.", false);
    public static readonly ErrorDefinition ServiceUnavailable = new("serviceUnavailable", 503, "The service is temporarily unavailable. Try again shortly.", true);
    public static readonly ErrorDefinition NoPermission = new("noPermission", 403, "You do not have permission to do this.", false);
    public static readonly ErrorDefinition TooManyRequests = new("tooManyRequests", 429, "Too many requests. Try again later.", true);
    public static readonly ErrorDefinition MissingFields = new("missingFields", 400, "The request is missing required fields.", false);
    public static readonly ErrorDefinition EntityMissing = new("entityMissing", 404, "The requested entity does not exist.", false);
    public static readonly ErrorDefinition EntityInvalid = new("entityInvalid", 400, "The request contains invalid fields.", false);
    public static readonly ErrorDefinition OrganizationIdMissing = new("organizationIdMissing", 400, "The organization id is missing or unknown.", false);
    public static readonly ErrorDefinition ConnectionMissing = new("connectionMissing", 400, "This login method is not enabled for the organization.", false);
    public static readonly ErrorDefinition CallbackUrlMissing = new("callbackUrlMissing", 400, "The callback URL is missing.", false);
    public static readonly ErrorDefinition CallbackUrlInvalid = new("callbackUrlInvalid", 400, "The callback URL is invalid or not allowed for this organization.", false);
    public static readonly ErrorDefinition DomainInvalid = new("domainInvalid", 400, "The domain is missing, invalid or not whitelisted for this organization.", false);
    public static readonly ErrorDefinition StateMissing = new("stateMissing", 400, "The state parameter is missing.", false);
    public static readonly ErrorDefinition StateInvalid = new("stateInvalid", 400, "The state is invalid.", false);
    public static readonly ErrorDefinition CodeChallengeMissing = new("codeChallengeMissing", 400, "The PKCE code challenge is missing.", false);
    public static readonly ErrorDefinition CodeChallengeInvalid = new("codeChallengeInvalid", 400, "The PKCE code challenge or verifier is invalid.", false);
    public static readonly ErrorDefinition LoginAttemptMissing = new("loginAttemptMissing", 404, "The login attempt does not exist.", false);
    public static readonly ErrorDefinition LoginAttemptExpired = new("loginAttemptExpired", 400, "The login attempt has expired. Request a new code.", false);
    public static readonly ErrorDefinition LoginAttemptInvalid = new("loginAttemptInvalid", 400, "The code is wrong or no longer valid.", false);
    /// <summary>The address spent its lifetime budget of consecutive wrong codes (Login:MaxConsecutiveFailedCodes).</summary>
    public static readonly ErrorDefinition EmailLoginLocked = new("emailLoginLocked", 403, "Sign-in by email is locked for this address after too many wrong codes. Sign in with a passkey, or ask the administrator to unlock it.", false);
    public static readonly ErrorDefinition PasskeyDataMissing = new("passkeyDataMissing", 404, "The passkey ceremony does not exist.", false);
    public static readonly ErrorDefinition PasskeyDataExpired = new("passkeyDataExpired", 400, "The passkey ceremony has expired.", false);
    public static readonly ErrorDefinition PasskeyDataInvalid = new("passkeyDataInvalid", 400, "The passkey data could not be verified.", false);
    public static readonly ErrorDefinition PasskeyWrongOrganization = new("passkeyWrongOrganization", 400, "This passkey belongs to another organization.", false);
    public static readonly ErrorDefinition UpstreamSignInFailed = new("upstreamSignInFailed", 400, "The sign-in with the other provider did not complete. Try again, or choose another way to sign in.", true);
    public static readonly ErrorDefinition UpstreamUnavailable = new("upstreamUnavailable", 502, "The other provider could not be reached. Try again later, or choose another way to sign in.", true);
    public static readonly ErrorDefinition UpstreamEmailUnverified = new("upstreamEmailUnverified", 400, "The other provider did not confirm that this email address is verified, so it cannot sign in here. Verify the address there, or choose another way to sign in.", false);
    public static readonly ErrorDefinition CaptchaInvalid = new("captchaInvalid", 400, "The anti-abuse challenge was not solved.", false);
    public static readonly ErrorDefinition TokenMissing = new("tokenMissing", 401, "A token or client credentials are required.", false);
    public static readonly ErrorDefinition TokenInvalid = new("tokenInvalid", 401, "The token or client credentials are invalid.", false);
    /// <summary>The app's Basic credentials: malformed, or a secret that is neither the active nor the pending one. Distinct from tokenInvalid so a misconfigured app is told apart from a used or expired code.</summary>
    public static readonly ErrorDefinition ClientCredentialsInvalid = new("clientCredentialsInvalid", 401, "The app's client credentials (organization id and secret) are not accepted.", false);
    public static readonly ErrorDefinition SessionMissing = new("sessionMissing", 401, "The session does not exist.", false);
    public static readonly ErrorDefinition SessionNotVerified = new("sessionNotVerified", 401, "The session has not been verified.", false);
    public static readonly ErrorDefinition SessionExpired = new("sessionExpired", 401, "The session has expired.", false);
    public static readonly ErrorDefinition SessionInactive = new("sessionInactive", 401, "The session is no longer active.", false);
    public static readonly ErrorDefinition SessionInvalid = new("sessionInvalid", 401, "The session does not match this request.", false);
    public static readonly ErrorDefinition MethodNotAllowed = new("methodNotAllowed", 405, "This path does not accept this HTTP method; the Allow header lists the ones it does.", false);
    public static readonly ErrorDefinition EntityTooLarge = new("entityTooLarge", 413, "The request body is too large.", false);
    public static readonly ErrorDefinition ContentTypeInvalid = new("contentTypeInvalid", 415, "The request body's content type is not the one this endpoint accepts.", false);

    public static readonly IReadOnlyList<ErrorDefinition> All =
    [
        GenericError, ServiceUnavailable, NoPermission, TooManyRequests, MissingFields, EntityMissing, EntityInvalid,
        OrganizationIdMissing, ConnectionMissing, CallbackUrlMissing, CallbackUrlInvalid, DomainInvalid,
        StateMissing, StateInvalid, CodeChallengeMissing, CodeChallengeInvalid,
        LoginAttemptMissing, LoginAttemptExpired, LoginAttemptInvalid, EmailLoginLocked,
        PasskeyDataMissing, PasskeyDataExpired, PasskeyDataInvalid, PasskeyWrongOrganization,
        UpstreamSignInFailed, UpstreamUnavailable, UpstreamEmailUnverified, CaptchaInvalid,
        TokenMissing, TokenInvalid, ClientCredentialsInvalid, SessionMissing, SessionNotVerified, SessionExpired, SessionInactive, SessionInvalid,
        MethodNotAllowed, EntityTooLarge, ContentTypeInvalid,
    ];
}
