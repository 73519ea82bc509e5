using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AuthServer.Features.Login.Email;

/// <summary>
/// Delivers email through the configured SMTP server with MailKit, within bounded times: a hung or slow
/// server fails the attempt (the queue retries it later) instead of holding a sender forever. Logs nothing:
/// the dispatcher logs the outcome by email id, never the subject (it carries the sign-in code).
/// </summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    public string Description => $"SMTP {options.Value.Smtp.Host}:{options.Value.Smtp.Port}";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(settings.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();

        var security = settings.Smtp.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "ssl" => SecureSocketOptions.SslOnConnect,
            "starttls" => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.Auto,
        };

        using var client = new SmtpClient();
        // MailKit's own timeout bounds each read or write; the token sources bound each phase as a whole.
        client.Timeout = (int)Math.Max(settings.Smtp.ConnectTimeout.TotalMilliseconds, settings.Smtp.SendTimeout.TotalMilliseconds);
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(settings.Smtp.ConnectTimeout);
            try
            {
                await client.ConnectAsync(settings.Smtp.Host ?? "localhost", settings.Smtp.Port, security, connect.Token);
                if (!string.IsNullOrEmpty(settings.Smtp.Username))
                {
                    await client.AuthenticateAsync(settings.Smtp.Username, settings.Smtp.Password ?? "", connect.Token);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The SMTP server did not accept a connection within {settings.Smtp.ConnectTimeout.TotalSeconds:0.#} s.");
            }
        }

        using var send = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        send.CancelAfter(settings.Smtp.SendTimeout);
        try
        {
            await client.SendAsync(mime, send.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The SMTP server did not take the message within {settings.Smtp.SendTimeout.TotalSeconds:0.#} s.");
        }

        // The server has accepted the message: a failed goodbye must not make the queue send it again.
        try
        {
            await client.DisconnectAsync(true, send.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing to do: the connection is disposed below.
        }
    }
}
