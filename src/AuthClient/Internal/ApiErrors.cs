using System.Globalization;
using System.Net;
using System.Text.Json;

namespace AuthServer.Client.Internal;

/// <summary>Turns a non-2xx answer of the auth server into an <see cref="AuthException"/>.</summary>
internal static class ApiErrors
{
    public static async Task<AuthException> ReadAsync(HttpResponseMessage response, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfterHeader(response, now);
        string? text = null;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            // The body is informative only; the status still says what happened.
        }

        if (TryParse(text, out var body))
        {
            return new AuthException(
                AuthErrorCodes.Parse(body.ErrorCode),
                string.IsNullOrWhiteSpace(body.Message) ? DefaultMessage(status) : body.Message,
                body.ErrorCode,
                status,
                body.Details,
                body.TraceId ?? TraceHeader(response),
                retryAfter ?? body.RetryAfter);
        }

        // Not the catalog's JSON (a proxy's page, an empty body): an unknown error, except for the two
        // statuses that mean the same whoever answers them.
        var error = response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => AuthErrorCode.TooManyRequests,
            HttpStatusCode.ServiceUnavailable => AuthErrorCode.ServiceUnavailable,
            _ => AuthErrorCode.Unknown,
        };
        return new AuthException(error, DefaultMessage(status), errorCode: error == AuthErrorCode.Unknown ? null : error.ToWireCode(),
            statusCode: status, traceId: TraceHeader(response), retryAfter: retryAfter);
    }

    private static string DefaultMessage(int status) =>
        string.Create(CultureInfo.InvariantCulture, $"The auth server answered HTTP {status} without an error this client understands.");

    private static bool TryParse(string? text, out ErrorBody body)
    {
        body = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("errorCode", out var code) || code.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var details = new List<AuthErrorDetail>();
            if (root.TryGetProperty("details", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    details.Add(new AuthErrorDetail(String(item, "location"), String(item, "message")));
                }
            }

            TimeSpan? retryAfter = root.TryGetProperty("retryAfter", out var seconds) && seconds.TryGetDouble(out var value) && value >= 0
                ? TimeSpan.FromSeconds(value)
                : null;
            body = new ErrorBody(code.GetString(), String(root, "message"), details, String(root, "traceId"), retryAfter);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TimeSpan? RetryAfterHeader(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static string? TraceHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("traceparent", out var values) ? values.FirstOrDefault() : null;

    private readonly record struct ErrorBody(string? ErrorCode, string? Message, IReadOnlyList<AuthErrorDetail> Details, string? TraceId, TimeSpan? RetryAfter);
}
