namespace AuthServer.Errors;

/// <summary>A field at fault: <c>location</c> is the JSON path or the query/form parameter name.</summary>
public sealed record ErrorDetail(string Location, string Message);

/// <summary>
/// A failure as a value: services return it, the edge turns it into JSON (or an RFC 6749 error, or a
/// redirect). Factories are named after the catalog codes.
/// </summary>
public sealed record AuthError(ErrorDefinition Definition, string Message, IReadOnlyList<ErrorDetail>? Details = null, int? RetryAfterSeconds = null)
{
    public string Code => Definition.Code;

    /// <summary>The methods the path accepts, sent as the Allow header of a methodNotAllowed answer.</summary>
    public IReadOnlyList<string>? Allow { get; init; }
    public int Status => Definition.Status;

    private static AuthError Of(ErrorDefinition definition, string? message = null) => new(definition, message ?? definition.Description);

    public static AuthError Generic() => Of(ErrorCatalog.GenericError);
    public static AuthError ServiceUnavailable(int retryAfterSeconds = 5) => Of(ErrorCatalog.ServiceUnavailable) with { RetryAfterSeconds = retryAfterSeconds };
    public static AuthError NoPermission(string? message = null) => Of(ErrorCatalog.NoPermission, message);
    public static AuthError TooManyRequests(int retryAfterSeconds) => Of(ErrorCatalog.TooManyRequests) with { RetryAfterSeconds = Math.Max(1, retryAfterSeconds) };
    public static AuthError MissingFields(params string[] fields) =>
        Of(ErrorCatalog.MissingFields) with { Details = fields.Select(f => new ErrorDetail(f, "This field is required.")).ToList() };
    public static AuthError EntityMissing(string? message = null) => Of(ErrorCatalog.EntityMissing, message);
    public static AuthError EntityInvalid(IReadOnlyList<ErrorDetail> details) => Of(ErrorCatalog.EntityInvalid) with { Details = details };
    public static AuthError EntityInvalid(string location, string message) => EntityInvalid([new ErrorDetail(location, message)]);
    public static AuthError OrganizationIdMissing() => Of(ErrorCatalog.OrganizationIdMissing);
    public static AuthError ConnectionMissing() => Of(ErrorCatalog.ConnectionMissing);
    public static AuthError CallbackUrlMissing() => Of(ErrorCatalog.CallbackUrlMissing);
    public static AuthError CallbackUrlInvalid(string? message = null) => Of(ErrorCatalog.CallbackUrlInvalid, message);
    public static AuthError DomainInvalid() => Of(ErrorCatalog.DomainInvalid);
    public static AuthError StateMissing() => Of(ErrorCatalog.StateMissing);
    public static AuthError StateInvalid() => Of(ErrorCatalog.StateInvalid);
    public static AuthError CodeChallengeMissing() => Of(ErrorCatalog.CodeChallengeMissing);
    public static AuthError CodeChallengeInvalid(string? message = null) => Of(ErrorCatalog.CodeChallengeInvalid, message);
    public static AuthError LoginAttemptMissing() => Of(ErrorCatalog.LoginAttemptMissing);
    public static AuthError LoginAttemptExpired() => Of(ErrorCatalog.LoginAttemptExpired);
    public static AuthError LoginAttemptInvalid(string? message = null) => Of(ErrorCatalog.LoginAttemptInvalid, message);
    public static AuthError EmailLoginLocked() => Of(ErrorCatalog.EmailLoginLocked);
    public static AuthError PasskeyDataMissing() => Of(ErrorCatalog.PasskeyDataMissing);
    public static AuthError PasskeyDataExpired() => Of(ErrorCatalog.PasskeyDataExpired);
    public static AuthError PasskeyDataInvalid() => Of(ErrorCatalog.PasskeyDataInvalid);
    public static AuthError PasskeyWrongOrganization() => Of(ErrorCatalog.PasskeyWrongOrganization);
    public static AuthError UpstreamSignInFailed() => Of(ErrorCatalog.UpstreamSignInFailed);
    public static AuthError UpstreamUnavailable() => Of(ErrorCatalog.UpstreamUnavailable);
    public static AuthError UpstreamEmailUnverified() => Of(ErrorCatalog.UpstreamEmailUnverified);
    public static AuthError TokenMissing() => Of(ErrorCatalog.TokenMissing);
    public static AuthError TokenInvalid() => Of(ErrorCatalog.TokenInvalid);
    public static AuthError ClientCredentialsInvalid() => Of(ErrorCatalog.ClientCredentialsInvalid);
    public static AuthError SessionMissing() => Of(ErrorCatalog.SessionMissing);
    public static AuthError SessionNotVerified() => Of(ErrorCatalog.SessionNotVerified);
    public static AuthError SessionExpired() => Of(ErrorCatalog.SessionExpired);
    public static AuthError SessionInactive() => Of(ErrorCatalog.SessionInactive);
    public static AuthError SessionInvalid(string? message = null) => Of(ErrorCatalog.SessionInvalid, message);
    public static AuthError MethodNotAllowed(IReadOnlyList<string> allow) => Of(ErrorCatalog.MethodNotAllowed) with { Allow = allow };
    public static AuthError EntityTooLarge(long limitBytes) =>
        Of(ErrorCatalog.EntityTooLarge, $"The request body is too large: at most {limitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes are accepted here.");
    public static AuthError ContentTypeInvalid(string expected) =>
        Of(ErrorCatalog.ContentTypeInvalid, $"The request body's content type is not accepted here; send {expected}.");
}

/// <summary>Carries an <see cref="AuthError"/> out of code that cannot return it (model binding, filters).</summary>
public sealed class AuthErrorException(AuthError error) : Exception(error.Message)
{
    public AuthError Error { get; } = error;
}

/// <summary>The value of a service call: either a result or the catalog error explaining why not.</summary>
public readonly struct Outcome<T>
{
    private Outcome(T? value, AuthError? error) => (Value, Error) = (value, error);

    public T? Value { get; }
    public AuthError? Error { get; }
    public bool Failed => Error is not null;

    public static Outcome<T> From(T value) => new(value, null);

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(AuthError error) => new(default, error);
}
