using System.Text.Json;
using System.Text.RegularExpressions;
using AuthServer.Features.Login.Email;

namespace AuthServer.Tests.Infrastructure;

/// <summary>Reads the emails the server wrote to its outbox folder (the no-SMTP delivery).</summary>
public sealed partial class Outbox(string path)
{
    public EmailMessage LatestTo(string address)
    {
        var messages = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json").Order().Select(f => JsonSerializer.Deserialize<EmailMessage>(File.ReadAllText(f))!).ToList()
            : [];
        return messages.LastOrDefault(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No email to {address} in {path}.");
    }

    public string LatestCodeFor(string address) => CodePattern().Match(LatestTo(address).TextBody).Groups[1].Value;

    public string LatestLinkFor(string address) => LinkPattern().Match(LatestTo(address).TextBody).Value;

    [GeneratedRegex(@"code for .+ is (\d{5})\.")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"https?://\S+/login/link\?\S+")]
    private static partial Regex LinkPattern();
}
