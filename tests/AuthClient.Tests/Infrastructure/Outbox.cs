using System.Text.Json;
using System.Text.RegularExpressions;
using AuthServer.Features.Login.Email;
using Npgsql;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>
/// Reads the emails the server wrote to its outbox folder (its delivery when no SMTP is set). The server
/// queues emails in its database and writes them from a background sender: a read waits until no email is
/// pending and one to the address is in the folder.
/// </summary>
public sealed partial class Outbox(string path, string connectionString)
{
    public string LatestCodeFor(string address)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (!QueueHasPendingEmail() && Latest(address) is { } message)
            {
                return CodePattern().Match(message.TextBody).Groups[1].Value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"No email to {address} in {path}.");
            }

            Thread.Sleep(20);
        }
    }

    private EmailMessage? Latest(string address)
    {
        var messages = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json").Order().Select(f => JsonSerializer.Deserialize<EmailMessage>(File.ReadAllText(f))!).ToList()
            : [];
        return messages.LastOrDefault(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase));
    }

    private bool QueueHasPendingEmail()
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM email_outbox WHERE \"Status\" = 'pending')", connection);
        return (bool)command.ExecuteScalar()!;
    }

    [GeneratedRegex(@"code for .+ is (\d{5})\.")]
    private static partial Regex CodePattern();
}
