using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace AuthServer.Client;

/// <summary>One thing wrong with the app's configuration, found by <see cref="AuthClient.CheckConfigurationAsync"/>.</summary>
/// <param name="Setting">The setting to fix, e.g. <c>AuthClient:Secret</c>.</param>
/// <param name="Error">What the check ran into.</param>
/// <param name="Message">What is wrong and how to fix it, for the app's developer (never shown to people; never contains the secret).</param>
public sealed record AuthClientProblem(string Setting, AuthErrorCode Error, string Message);

public sealed partial class AuthClient
{
    /// <summary>The message people see when the app's configuration is at fault; the details go to the log.</summary>
    internal const string NeutralMessage = "Signing in is not possible right now because of a problem with this site. Please try again later.";

    private string? _lastCheckOutcome;

    /// <summary>
    /// Checks, with one cheap call (POST <c>/api/v1/client_check</c>), that the auth server is reachable, accepts
    /// the client id and secret, and whitelists the app's origin. Each problem is logged (Error for the app's
    /// configuration, Warning for an unreachable server) naming the setting to fix, once until the outcome
    /// changes, and returned. Used at
    /// start-up and by the health check (<c>AddAuthClientCheck</c>); no session or database write on the server.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The problems; empty when everything is in order.</returns>
    public async Task<IReadOnlyList<AuthClientProblem>> CheckConfigurationAsync(CancellationToken cancellationToken = default)
    {
        AuthClientProblem? problem = null;
        try
        {
            await SendAsync("client_check", () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "api/v1/client_check?domain=" + Uri.EscapeDataString(AppOrigin)));
                request.Headers.Authorization = _basic;
                return request;
            }, static async (response, cancel) => await response.Content.ReadFromJsonAsync<object>(cancel), safeToRetry: false, cancellationToken,
            logMisconfiguration: false);
        }
        catch (AuthException exception)
        {
            problem = ProblemOf(exception);
        }

        // A health check runs this every few seconds: log a result once, and again only when it changes.
        var outcome = problem is null ? "" : problem.Setting + "\n" + problem.Error;
        var changed = !string.Equals(Interlocked.Exchange(ref _lastCheckOutcome, outcome), outcome, StringComparison.Ordinal);
        if (problem is null)
        {
            if (changed)
            {
                LogCheckPassed(_clientId);
            }

            return [];
        }

        if (!changed)
        {
            return [problem];
        }

        if (problem.Error is AuthErrorCode.NetworkError or AuthErrorCode.Timeout or AuthErrorCode.ServiceUnavailable or AuthErrorCode.TooManyRequests)
        {
            LogProblemWarning(problem.Setting, problem.Message);
        }
        else
        {
            LogProblemError(problem.Setting, problem.Message);
        }

        return [problem];
    }

    /// <summary>The problem with the callback path: <paramref name="mappedCallbackPaths"/> are the callback endpoints <c>MapAuthClient</c> mapped.</summary>
    internal AuthClientProblem? CallbackPathProblem(IReadOnlyCollection<string> mappedCallbackPaths)
    {
        // Behind UsePathBase the public path carries a prefix the route does not.
        if (mappedCallbackPaths.Count == 0
            || mappedCallbackPaths.Any(path => _callbackPath.Equals(path, StringComparison.OrdinalIgnoreCase)
                                               || _callbackPath.EndsWith(path, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return new AuthClientProblem("AuthClient:CallbackUrl", AuthErrorCode.CallbackUrlInvalid,
            $"AuthClient:CallbackUrl has the path {_callbackPath}, but MapAuthClient mapped the callback at {string.Join(" and ", mappedCallbackPaths)}: "
            + "after signing in people would get a 404. Make the CallbackUrl end with the MapAuthClient prefix + /callback, or change the prefix.");
    }

    private AuthClientProblem ProblemOf(AuthException exception) => exception.Error switch
    {
        AuthErrorCode.ClientCredentialsInvalid => new("AuthClient:Secret", exception.Error,
            $"The auth server does not accept the client secret of organization {_clientId} (trace {exception.TraceId}). Set AuthClient:Secret to the organization's current secret (it changes when the secret is rotated)."),
        AuthErrorCode.OrganizationIdMissing => new("AuthClient:ClientId", exception.Error,
            $"The auth server knows no organization {_clientId}. Set AuthClient:ClientId to the organization id shown in the server's admin."),
        AuthErrorCode.TokenMissing => new("AuthClient:Secret", exception.Error,
            "The auth server received no client secret. Set AuthClient:Secret."),
        AuthErrorCode.DomainInvalid => new("AuthClient:CallbackUrl", exception.Error,
            $"The app's origin {AppOrigin} (from AuthClient:CallbackUrl) is not whitelisted for organization {_clientId}. Add it to the organization's whitelist, or fix AuthClient:CallbackUrl."),
        AuthErrorCode.NetworkError or AuthErrorCode.Timeout => new("AuthClient:AuthBaseUrl", exception.Error,
            $"The auth server at {_baseUrl} could not be reached ({exception.Error.ToWireCode()}: {exception.InnerException?.GetBaseException().Message ?? exception.Message}). Check AuthClient:AuthBaseUrl and that the server runs."),
        AuthErrorCode.ServiceUnavailable or AuthErrorCode.TooManyRequests => new("AuthClient:AuthBaseUrl", exception.Error,
            $"The auth server at {_baseUrl} answered {exception.ErrorCode} (trace {exception.TraceId}); sign-ins fail until it recovers."),
        _ => new("AuthClient:AuthBaseUrl", exception.Error,
            $"{_baseUrl} did not answer like the auth server (HTTP {exception.StatusCode}, {exception.ErrorCode ?? "no error code"}). Check AuthClient:AuthBaseUrl."),
    };

    /// <summary>
    /// An error of the app's configuration seen on a normal call: one Warning naming the setting, and the
    /// exception people see gets a neutral message (the server's words, e.g. "client credentials", are for developers).
    /// </summary>
    private AuthException Explain(string operation, AuthException error)
    {
        if (!error.IsConfigurationError)
        {
            return error;
        }

        var problem = ProblemOf(error);
        LogMisconfigured(operation, problem.Setting, problem.Message);
        return new AuthException(error.Error, NeutralMessage, error.ErrorCode, error.StatusCode, error.Details, error.TraceId, error.RetryAfter, error);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AuthClient: {Operation} failed because of the app's configuration; fix {Setting}: {Problem}")]
    private partial void LogMisconfigured(string operation, string setting, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "AuthClient: configuration check failed; fix {Setting}: {Problem}")]
    private partial void LogProblemError(string setting, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "AuthClient: configuration check could not finish; check {Setting}: {Problem}")]
    private partial void LogProblemWarning(string setting, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "AuthClient: configuration check passed (organization {OrganizationId}: server reachable, credentials accepted, origin whitelisted)")]
    private partial void LogCheckPassed(string organizationId);
}
