namespace AuthServer.Client;

/// <summary>
/// What went wrong, as a code an app can switch on. Every code of the server's error catalog
/// (<c>GET /api/v1/errors</c>) has a member here, plus the codes this library raises itself. The wire
/// spelling is the member name in camelCase (<see cref="AuthErrorCodes.ToWireCode"/>).
/// </summary>
public enum AuthErrorCode
{
    /// <summary>A code this library does not know, or an error answer that was not the catalog's JSON; the raw code is in <see cref="AuthException.ErrorCode"/>.</summary>
    Unknown = 0,

    /// <summary>genericError: an unexpected failure on the server.</summary>
    GenericError,

    /// <summary>serviceUnavailable: the server or one of its dependencies is unreachable; retryable.</summary>
    ServiceUnavailable,

    /// <summary>noPermission: the user may not do this (for example a blocked user).</summary>
    NoPermission,

    /// <summary>tooManyRequests: a rate limit was hit; retryable after <see cref="AuthException.RetryAfter"/>.</summary>
    TooManyRequests,

    /// <summary>missingFields: required fields are absent.</summary>
    MissingFields,

    /// <summary>entityMissing: the addressed entity does not exist (for example an unknown user when sign-up is disabled).</summary>
    EntityMissing,

    /// <summary>entityInvalid: the entity sent is invalid.</summary>
    EntityInvalid,

    /// <summary>organizationIdMissing: no client id was configured or given, or it is unknown to the server.</summary>
    OrganizationIdMissing,

    /// <summary>connectionMissing: the login method is disabled or unknown for this organization.</summary>
    ConnectionMissing,

    /// <summary>callbackUrlMissing: no callback URL was configured or given.</summary>
    CallbackUrlMissing,

    /// <summary>callbackUrlInvalid: the callback URL is malformed or not allowed for this organization.</summary>
    CallbackUrlInvalid,

    /// <summary>domainInvalid: the app's origin is not whitelisted for this organization.</summary>
    DomainInvalid,

    /// <summary>stateMissing: no state on the login request, or no state cookie on the callback.</summary>
    StateMissing,

    /// <summary>stateInvalid: the state of the callback does not match the one this browser started with.</summary>
    StateInvalid,

    /// <summary>codeChallengeMissing: no PKCE challenge (or no verifier cookie on the callback).</summary>
    CodeChallengeMissing,

    /// <summary>codeChallengeInvalid: the PKCE challenge is malformed or the verifier does not match it.</summary>
    CodeChallengeInvalid,

    /// <summary>loginAttemptMissing: the login attempt is unknown.</summary>
    LoginAttemptMissing,

    /// <summary>loginAttemptExpired: the login attempt is past its lifetime.</summary>
    LoginAttemptExpired,

    /// <summary>loginAttemptInvalid: wrong or already used code or link.</summary>
    LoginAttemptInvalid,

    /// <summary>emailLoginLocked: too many wrong codes in a row for the address; email sign-in is locked until a passkey sign-in or an admin unlock.</summary>
    EmailLoginLocked,

    /// <summary>passkeyDataMissing: no pending passkey ceremony with that id.</summary>
    PasskeyDataMissing,

    /// <summary>passkeyDataExpired: the passkey ceremony is past its lifetime.</summary>
    PasskeyDataExpired,

    /// <summary>passkeyDataInvalid: the passkey data could not be verified.</summary>
    PasskeyDataInvalid,

    /// <summary>passkeyWrongOrganization: the passkey belongs to another organization.</summary>
    PasskeyWrongOrganization,

    /// <summary>captchaInvalid: the anti-abuse challenge was not solved.</summary>
    CaptchaInvalid,

    /// <summary>tokenMissing: no token or client credentials where required.</summary>
    TokenMissing,

    /// <summary>tokenInvalid: the token or the client credentials are malformed, forged, expired or for another client.</summary>
    TokenInvalid,

    /// <summary>sessionMissing: the session the token names does not exist.</summary>
    SessionMissing,

    /// <summary>sessionNotVerified: the session's code was never exchanged.</summary>
    SessionNotVerified,

    /// <summary>sessionExpired: the session is past the organization's maximum session time.</summary>
    SessionExpired,

    /// <summary>sessionInactive: the session was ended (logout, revocation) or idle too long.</summary>
    SessionInactive,

    /// <summary>sessionInvalid: the session does not match this request (IP, user agent or device changed; another user on affirm).</summary>
    SessionInvalid,

    /// <summary>methodNotAllowed: the path does not accept this HTTP method (a client bug).</summary>
    MethodNotAllowed,

    /// <summary>entityTooLarge: the request body is over the server's size limit.</summary>
    EntityTooLarge,

    /// <summary>contentTypeInvalid: the request body's content type is not the one the endpoint accepts.</summary>
    ContentTypeInvalid,

    /// <summary>upstreamSignInFailed: sign-in through an upstream provider (Google, GitHub, …) failed; the person may try again or choose another method.</summary>
    UpstreamSignInFailed,

    /// <summary>upstreamUnavailable: the upstream provider could not be reached; retry later.</summary>
    UpstreamUnavailable,

    /// <summary>upstreamEmailUnverified: the upstream provider does not say the person's email address is verified.</summary>
    UpstreamEmailUnverified,

    /// <summary>secretMissing (client side): no client secret is configured.</summary>
    SecretMissing,

    /// <summary>authBaseUrlMissing (client side): no usable auth server base URL is configured.</summary>
    AuthBaseUrlMissing,

    /// <summary>networkError (client side): the auth server could not be reached (DNS, connection refused or reset, TLS).</summary>
    NetworkError,

    /// <summary>timeout (client side): the auth server did not answer within <see cref="AuthClientOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>
    /// clientCredentialsInvalid: the auth server did not accept the app's client id and secret (a wrong or rotated
    /// <see cref="AuthClientOptions.Secret"/>). A problem of the app's configuration, not of the person's session:
    /// cookies are kept and people see a neutral message.
    /// </summary>
    ClientCredentialsInvalid,
}

/// <summary>Conversions between <see cref="AuthErrorCode"/> and the camelCase codes on the wire.</summary>
public static class AuthErrorCodes
{
    private static readonly Dictionary<string, AuthErrorCode> ByWireCode =
        Enum.GetValues<AuthErrorCode>().ToDictionary(ToWireCode, code => code, StringComparer.Ordinal);

    /// <summary>The code as the server spells it, e.g. <c>sessionExpired</c> for <see cref="AuthErrorCode.SessionExpired"/>.</summary>
    public static string ToWireCode(this AuthErrorCode code)
    {
        var name = code.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <summary>The member for a wire code; <see cref="AuthErrorCode.Unknown"/> for null, empty or unknown codes.</summary>
    public static AuthErrorCode Parse(string? wireCode) =>
        wireCode is not null && ByWireCode.TryGetValue(wireCode, out var code) ? code : AuthErrorCode.Unknown;
}
