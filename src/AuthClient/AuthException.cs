namespace AuthServer.Client;

/// <summary>One field at fault in a validation error (<see cref="AuthException.Details"/>).</summary>
/// <param name="Location">The JSON path or query/form parameter name of the field.</param>
/// <param name="Message">What is wrong with it, safe to show.</param>
public sealed record AuthErrorDetail(string? Location, string? Message);

/// <summary>
/// Every failure of this library: an error answer of the auth server (its catalog code, message, details,
/// trace id), an error the server sent back to the callback (<c>error</c>, <c>error_description</c>), a
/// configuration error found before any request, a network failure or a timeout. Switch on
/// <see cref="Error"/>; show <see cref="Exception.Message"/> to people.
/// </summary>
public sealed class AuthException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    /// <param name="error">The typed code.</param>
    /// <param name="message">A message safe to show to people.</param>
    /// <param name="errorCode">The raw code as received; defaults to the wire spelling of <paramref name="error"/> (null for <see cref="AuthErrorCode.Unknown"/>).</param>
    /// <param name="statusCode">The HTTP status of the server's answer, when there was one.</param>
    /// <param name="details">Fields at fault, when the server listed them.</param>
    /// <param name="traceId">The server's trace id for its log line of the request.</param>
    /// <param name="retryAfter">How long to wait before retrying, for retryable errors.</param>
    /// <param name="innerException">The underlying exception (network failures, timeouts).</param>
    public AuthException(AuthErrorCode error, string message, string? errorCode = null, int? statusCode = null,
        IReadOnlyList<AuthErrorDetail>? details = null, string? traceId = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        ErrorCode = errorCode ?? (error == AuthErrorCode.Unknown ? null : error.ToWireCode());
        StatusCode = statusCode;
        Details = details ?? [];
        TraceId = traceId;
        RetryAfter = retryAfter;
    }

    /// <summary>The typed code; <see cref="AuthErrorCode.Unknown"/> when the server sent a code this version does not know.</summary>
    public AuthErrorCode Error { get; }

    /// <summary>The raw code as received (e.g. <c>sessionExpired</c>), kept also when <see cref="Error"/> is <see cref="AuthErrorCode.Unknown"/>; null when the server's answer carried none.</summary>
    public string? ErrorCode { get; }

    /// <summary>Fields at fault, when the server listed them; empty otherwise.</summary>
    public IReadOnlyList<AuthErrorDetail> Details { get; }

    /// <summary>The HTTP status of the server's answer; null for errors raised before or without an answer.</summary>
    public int? StatusCode { get; }

    /// <summary>The server's trace id, to find its log line for the request.</summary>
    public string? TraceId { get; }

    /// <summary>How long to wait before trying again (<c>Retry-After</c>), for tooManyRequests and serviceUnavailable.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether trying again later may succeed: tooManyRequests, serviceUnavailable, network failures and timeouts.</summary>
    public bool IsTransient => Error is AuthErrorCode.TooManyRequests or AuthErrorCode.ServiceUnavailable or AuthErrorCode.NetworkError or AuthErrorCode.Timeout;

    /// <summary>
    /// Whether the app's own configuration is at fault (client id, secret, base URL or callback URL, or the app's
    /// origin not whitelisted): nothing the person can fix, so the message is neutral and the cookie is kept.
    /// </summary>
    public bool IsConfigurationError => Error is AuthErrorCode.ClientCredentialsInvalid or AuthErrorCode.OrganizationIdMissing
        or AuthErrorCode.SecretMissing or AuthErrorCode.AuthBaseUrlMissing or AuthErrorCode.CallbackUrlMissing
        or AuthErrorCode.CallbackUrlInvalid or AuthErrorCode.DomainInvalid;

    /// <summary>Whether the session or token is no longer usable: the person has to sign in again.</summary>
    public bool RequiresSignIn => Error is AuthErrorCode.TokenMissing or AuthErrorCode.TokenInvalid or AuthErrorCode.SessionMissing
        or AuthErrorCode.SessionNotVerified or AuthErrorCode.SessionExpired or AuthErrorCode.SessionInactive or AuthErrorCode.SessionInvalid;

    /// <summary>Code, status and trace id, for logs.</summary>
    public override string ToString()
    {
        var context = string.Join(", ", new[]
        {
            StatusCode is { } status ? "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            TraceId is null ? null : "trace " + TraceId,
        }.Where(part => part is not null));
        return $"{nameof(AuthException)}: {ErrorCode ?? Error.ToWireCode()}{(context.Length == 0 ? "" : $" ({context})")}: {Message}"
            + (InnerException is null ? "" : Environment.NewLine + " ---> " + InnerException);
    }
}
