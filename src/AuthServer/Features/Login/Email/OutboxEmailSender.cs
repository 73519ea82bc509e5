using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Email;

/// <summary>
/// Development delivery when no SMTP server is configured: each email is logged and written as a JSON
/// file to the outbox folder, so a sign-in works on a fresh machine with no mail server.
/// </summary>
public sealed class OutboxEmailSender(IOptions<EmailOptions> options, TimeProvider clock, ILogger<OutboxEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.Value.OutboxPath);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{clock.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(message), cancellationToken);
        logger.LogWarning("No SMTP configured: email to {To} written to {File}.\n{Body}", message.To, file, message.TextBody);
    }
}
