namespace AuthServer.Features.Login.Email;

public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody);

/// <summary>
/// A transport: SMTP, or the development outbox folder. Called only by <see cref="OutboxEmailDispatcher"/>;
/// request handlers queue emails with <see cref="EmailOutbox"/> instead.
/// </summary>
public interface IEmailSender
{
    /// <summary>Where emails go, for the start-up log line.</summary>
    string Description { get; }

    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}
