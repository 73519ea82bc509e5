using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AuthServer.Tests.Infrastructure;

/// <summary>The real SMTP server of the test run (maildev): lists received mail as JSON at GET /email.</summary>
public static partial class Maildev
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Waits for the newest email to <paramref name="address"/> and returns its text body.</summary>
    public static async Task<string> WaitForTextAsync(string address, TimeSpan? timeout = null, string? maildevUrl = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var emails = await ListAsync(maildevUrl);
            var match = emails.EnumerateArray()
                .Where(e => e.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetProperty("address").GetString(), address, StringComparison.OrdinalIgnoreCase)))
                .LastOrDefault();
            if (match.ValueKind == JsonValueKind.Object)
            {
                return match.GetProperty("text").GetString() ?? "";
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No email to {address} reached maildev.");
            }

            await Task.Delay(200);
        }
    }

    public static async Task<string> WaitForCodeAsync(string address, TimeSpan? timeout = null, string? maildevUrl = null) =>
        CodePattern().Match(await WaitForTextAsync(address, timeout, maildevUrl)).Groups[1].Value;

    /// <summary>Every email the maildev at <paramref name="maildevUrl"/> (default: the run's) received.</summary>
    public static Task<JsonElement> ListAsync(string? maildevUrl = null) =>
        Http.GetFromJsonAsync<JsonElement>((maildevUrl ?? TestEnvironment.MaildevUrl).TrimEnd('/') + "/email");

    /// <summary>The recipients of one listed email.</summary>
    public static IEnumerable<string> Recipients(JsonElement email) =>
        email.GetProperty("to").EnumerateArray().Select(t => t.GetProperty("address").GetString()!);

    [GeneratedRegex(@"code for .+ is (\d{5})\.")]
    private static partial Regex CodePattern();
}
