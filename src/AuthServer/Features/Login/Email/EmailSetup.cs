using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Email;

public static class EmailSetup
{
    /// <summary>
    /// The email queue and its senders. The transport is SMTP when a host is configured, otherwise the
    /// development outbox folder (which start-up refuses outside Development unless Email:AllowOutbox).
    /// </summary>
    public static IServiceCollection AddEmailOutbox(this IServiceCollection services)
    {
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section)
            .Validate<IHostEnvironment>(
                (email, environment) => !string.IsNullOrWhiteSpace(email.Smtp.Host) || email.AllowOutbox || environment.IsDevelopment() || environment.IsEnvironment("Testing"),
                "No SMTP server configured: set Email:Smtp:Host (Email__Smtp__Host). The outbox (codes written to the log) is for development only; set Email:AllowOutbox=true to use it anyway.")
            .Validate(email => email.MaxAttempts >= 1 && email.Senders >= 0, "Email:MaxAttempts must be at least 1 and Email:Senders at least 0.")
            .Validate(email => email.RetryDelay > TimeSpan.Zero && email.MaxRetryDelay >= email.RetryDelay && email.PollInterval > TimeSpan.Zero,
                "Email:RetryDelay and Email:PollInterval must be positive, and Email:MaxRetryDelay at least Email:RetryDelay.")
            .Validate(email => email.Smtp.ConnectTimeout > TimeSpan.Zero && email.Smtp.SendTimeout > TimeSpan.Zero,
                "Email:Smtp:ConnectTimeout and Email:Smtp:SendTimeout must be positive.")
            .ValidateOnStart();
        services.AddSingleton<IEmailSender>(provider =>
            string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<EmailOptions>>().Value.Smtp.Host)
                ? ActivatorUtilities.CreateInstance<OutboxFolderEmailSender>(provider)
                : ActivatorUtilities.CreateInstance<SmtpEmailSender>(provider));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxContentProtector>();
        services.AddScoped<EmailOutbox>();
        services.AddHostedService<OutboxEmailDispatcher>();
        return services;
    }
}
