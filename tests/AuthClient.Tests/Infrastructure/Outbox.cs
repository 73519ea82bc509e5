using System.Text.Json;
using System.Text.RegularExpressions;
using AuthServer.Features.Login.Email;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>Reads the emails the server wrote to its outbox folder (its delivery when no SMTP is set).</summary>
public sealed partial class Outbox(string path)
{
    public string LatestCodeFor(string address)
    {
        var messages = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json").Order().Select(f => JsonSerializer.Deserialize<EmailMessage>(File.ReadAllText(f))!).ToList()
            : [];
        var message = messages.LastOrDefault(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No email to {address} in {path}.");
        return CodePattern().Match(message.TextBody).Groups[1].Value;
    }

    [GeneratedRegex(@"code for .+ is (\d{5})\.")]
    private static partial Regex CodePattern();
}
