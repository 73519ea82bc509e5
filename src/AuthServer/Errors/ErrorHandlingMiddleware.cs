using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace AuthServer.Errors;

/// <summary>
/// The one place where failures become responses. Thrown catalog errors and bad requests keep their
/// code; an unreachable database is 503 serviceUnavailable; anything else is a bug: logged with the
/// trace id and answered as genericError without internals.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger, IErrorPageRenderer pages)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception exception)
        {
            var error = Classify(exception);
            if (error.Code == ErrorCatalog.ServiceUnavailable.Code)
            {
                // An outage, not a bug: one line per request, no stack trace.
                logger.LogWarning("Request failed with serviceUnavailable (trace {TraceId}): {Reason}", ErrorResponses.TraceId(context), exception.GetBaseException().Message);
                Hosting.Telemetry.AuthMetrics.DatabaseWasUnavailable("request");
            }
            else if (error.Status >= 500)
            {
                logger.LogError(exception, "Request failed with {ErrorCode} (trace {TraceId})", error.Code, ErrorResponses.TraceId(context));
            }
            else
            {
                logger.LogInformation("Request rejected with {ErrorCode}: {Reason}", error.Code, exception.Message);
            }

            if (context.Response.HasStarted)
            {
                // Too late for a clean answer: abort rather than send half a body.
                context.Abort();
                return;
            }

            await WriteAsync(context, error, pages);
        }
    }

    /// <summary>Writes the error in the caller's format: RFC 6749 on /connect, a page for a browser, the catalog's JSON otherwise.</summary>
    public static Task WriteAsync(HttpContext context, AuthError error, IErrorPageRenderer pages)
    {
        if (error.Allow is { } allow)
        {
            // After the page writer's Response.Clear(), which would drop a header set now.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.Allow = string.Join(", ", allow);
                return Task.CompletedTask;
            });
        }

        if (context.Request.Path.StartsWithSegments("/connect"))
        {
            return WriteOAuthErrorAsync(context, error);
        }

        if (IsPageRequest(context))
        {
            return pages.RenderAsync(context, error);
        }

        return ErrorResponses.WriteAsync(context, error);
    }

    /// <summary>
    /// Pages (not /api, not the /.well-known documents, which only programs read) that a browser asked for, or
    /// a browser's form post (the login page's), get an HTML error page instead of JSON.
    /// </summary>
    private static bool IsPageRequest(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/api")
        && !context.Request.Path.StartsWithSegments("/.well-known")
        && (context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            || (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType));

    private static async Task WriteOAuthErrorAsync(HttpContext context, AuthError error)
    {
        // The /connect/* endpoints keep RFC 6749's error format: standard clients parse it.
        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        context.Response.Headers.CacheControl = "no-store";
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.Allow is { } allow)
        {
            context.Response.Headers.Allow = string.Join(", ", allow);
        }

        var code = error.Status == 503 ? "temporarily_unavailable" : error.Status >= 500 ? "server_error" : "invalid_request";
        await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = code, ["error_description"] = error.Message });
    }

    internal static AuthError Classify(Exception exception)
    {
        switch (exception)
        {
            case AuthErrorException authError:
                return authError.Error;
            case BadHttpRequestException badRequest:
                return FromBadRequest(badRequest);
            case InvalidDataException:
                // A form or multipart body that cannot be parsed (no boundary, over the limits).
                return AuthError.EntityInvalid("body", "The request body could not be read.");
        }

        if (FindInner<PostgresException>(exception) is { SqlState: "22021" or "22P05" } || exception is PostgresException { SqlState: "22021" or "22P05" })
        {
            // Text PostgreSQL cannot store (a NUL character sent as \u0000 in JSON): the sender's fault, not a bug.
            return AuthError.EntityInvalid("body", "A value contains a character that cannot be stored (such as NUL).");
        }

        return IsDatabaseUnavailable(exception) ? AuthError.ServiceUnavailable() : AuthError.Generic();
    }

    private static AuthError FromBadRequest(BadHttpRequestException exception)
    {
        if (FindInner<JsonException>(exception) is { } json)
        {
            var location = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
            return AuthError.EntityInvalid(location, "The JSON body is malformed or has a value of the wrong type.");
        }

        if (exception.Message.StartsWith("Required parameter", StringComparison.Ordinal))
        {
            // "Required parameter \"Type name\" was not provided from ..."
            var parts = exception.Message.Split('"');
            var name = parts.Length > 1 ? parts[1].Split(' ').Last() : "body";
            return AuthError.MissingFields(name);
        }

        switch (exception.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                return AuthError.EntityTooLarge(Hosting.Http.RequestLimits.MaxBodyBytes);
            case StatusCodes.Status415UnsupportedMediaType:
                return AuthError.ContentTypeInvalid("application/json");
        }

        return AuthError.EntityInvalid("request", "The request could not be read.");
    }

    /// <summary>
    /// True when the failure is the database being unreachable (stopped, restarting, network cut,
    /// pool exhausted by a hang), as opposed to a bug in a query.
    /// </summary>
    internal static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    // Class 08 is connection exceptions; 57P0x is shutdown / cannot connect now; 53 is insufficient resources.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("53", StringComparison.Ordinal);
                case NpgsqlException npgsql when npgsql.IsTransient:
                case SocketException:
                case TimeoutException:
                case System.IO.EndOfStreamException:
                    return true;
            }
        }

        return false;
    }

    private static T? FindInner<T>(Exception exception) where T : Exception
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
