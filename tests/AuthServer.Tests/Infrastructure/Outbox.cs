using System.Text.Json;
using System.Text.RegularExpressions;
using AuthServer.Features.Login.Email;
using Npgsql;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// Reads the emails the server wrote to its outbox folder (the no-SMTP delivery). Emails are queued in the
/// database and written by a background sender, so a read waits until the server's queue has no pending
/// email left (given its database) and the folder holds one to the address.
/// </summary>
public sealed partial class Outbox(string path, string? connectionString = null)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public EmailMessage LatestTo(string address)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (!QueueHasPendingEmail() && Latest(address) is { } message)
            {
                return message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"No email to {address} in {path} within {Timeout.TotalSeconds} s.");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>How many emails to the address were delivered, once the queue has nothing pending.</summary>
    public int CountTo(string address)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (QueueHasPendingEmail())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Emails still pending after {Timeout.TotalSeconds} s.");
            }

            Thread.Sleep(20);
        }

        return All().Count(m => string.Equals(m.To.Trim(), address, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every email delivered to the address, oldest first, once the queue has nothing pending.</summary>
    public IReadOnlyList<EmailMessage> AllTo(string address)
    {
        _ = CountTo(address);
        return All().Where(m => string.Equals(m.To.Trim(), address, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    public string LatestCodeFor(string address) => CodePattern().Match(LatestTo(address).TextBody).Groups[1].Value;

    public string LatestLinkFor(string address) => LinkPattern().Match(LatestTo(address).TextBody).Value;

    private EmailMessage? Latest(string address) =>
        All().LastOrDefault(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase));

    private List<EmailMessage> All() =>
        Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json").Order().Select(f => JsonSerializer.Deserialize<EmailMessage>(File.ReadAllText(f))!).ToList()
            : [];

    private bool QueueHasPendingEmail()
    {
        if (connectionString is null)
        {
            return false;
        }

        using var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
            using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM email_outbox WHERE \"Status\" = 'pending')", connection);
            return (bool)command.ExecuteScalar()!;
        }
        catch (NpgsqlException)
        {
            // A pooled connection killed by a database restart (the outage tests): drop the pool and look again.
            NpgsqlConnection.ClearPool(connection);
            return true;
        }
    }

    // "Your sign-in code for X is 12345." and its Dutch and German sentences (emailCodeText).
    [GeneratedRegex(@" (?:is|lautet) (\d{5})\.")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"https?://\S+/login/link\?\S+")]
    private static partial Regex LinkPattern();
}
