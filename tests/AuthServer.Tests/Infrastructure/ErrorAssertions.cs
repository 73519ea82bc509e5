using System.Net;
using System.Text.Json;

namespace AuthServer.Tests.Infrastructure;

public static class ErrorAssertions
{
    /// <summary>Asserts the catalog's JSON error shape, the status and the errorCode; returns the body.</summary>
    public static async Task<JsonElement> AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {errorCode}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(errorCode, body.GetProperty("errorCode").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("traceId").GetString()));
        return body;
    }

    /// <summary>Asserts the error page a browser's request gets: the status and the catalog code it shows.</summary>
    public static async Task AssertErrorPageAsync(this HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {errorCode}, got {(int)response.StatusCode}: {html}");
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<code>{errorCode}</code>", html);
    }
}
