using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuthServer.Errors;

/// <summary>Writes an <see cref="AuthError"/> as the catalog's JSON body, with its status and Retry-After.</summary>
public static class ErrorResponses
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public sealed record Body(string ErrorCode, string Message, IReadOnlyList<ErrorDetail>? Details, string TraceId, int? RetryAfter);

    public static string TraceId(HttpContext context) => Activity.Current?.Id ?? context.TraceIdentifier;

    public static Body ToBody(AuthError error, HttpContext context) =>
        new(error.Code, error.Message, error.Details is { Count: > 0 } ? error.Details : null, TraceId(context), error.RetryAfterSeconds);

    public static async Task WriteAsync(HttpContext context, AuthError error)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = error.Status;
        response.Headers.CacheControl = "no-store";
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.Allow is { } allow)
        {
            response.Headers.Allow = string.Join(", ", allow);
        }

        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, ToBody(error, context), Json, context.RequestAborted);
    }

    /// <summary>An endpoint result for the error, so handlers can <c>return error.ToResult()</c>.</summary>
    public static IResult ToResult(this AuthError error) => new ErrorResult(error);

    private sealed class ErrorResult(AuthError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error);
    }
}
