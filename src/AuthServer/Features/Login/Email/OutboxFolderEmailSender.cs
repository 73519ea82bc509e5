using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Email;

/// <summary>
/// Development delivery when no SMTP server is configured: each email is logged and written as a JSON
/// file to the outbox folder, so a sign-in works on a fresh machine with no mail server. It writes sign-in
/// codes and links to the log on purpose; start-up refuses it outside Development unless Email:AllowOutbox
/// is set. Emails reach it through the same database queue and sender as SMTP.
/// </summary>
public sealed class OutboxFolderEmailSender(IOptions<EmailOptions> options, TimeProvider clock, ILogger<OutboxFolderEmailSender> logger) : IEmailSender
{
    public string Description => $"the log and the folder {Path.GetFullPath(options.Value.OutboxPath)} (no SMTP host configured; development only)";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.Value.OutboxPath);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{clock.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.json");
        // Written under a temporary name and renamed, so a reader never sees half a file.
        var partial = file + ".partial";
        await File.WriteAllTextAsync(partial, JsonSerializer.Serialize(message), cancellationToken);
        File.Move(partial, file);
        logger.LogWarning("No SMTP configured: email to {To} written to {File}.\n{Body}", message.To, file, message.TextBody);
    }
}
