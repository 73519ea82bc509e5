namespace AuthServer.Features.Webhooks;

public static class WebhooksSetup
{
    /// <summary>The webhook outbox, its dispatcher and HTTP client, and the admin service.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .Validate(w => w.MaxAttempts >= 1 && w.Senders >= 0, "Webhooks:MaxAttempts must be at least 1 and Webhooks:Senders at least 0.")
            .Validate(w => w.RetryDelay > TimeSpan.Zero && w.MaxRetryDelay >= w.RetryDelay && w.PollInterval > TimeSpan.Zero,
                "Webhooks:RetryDelay and Webhooks:PollInterval must be positive, and Webhooks:MaxRetryDelay at least Webhooks:RetryDelay.")
            .Validate(w => w.Timeout > TimeSpan.Zero && w.MaxResponseBytes >= 0, "Webhooks:Timeout must be positive and Webhooks:MaxResponseBytes not negative.")
            .ValidateOnStart();
        services.AddSingleton<WebhookSigner>();
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookEvents>();
        services.AddScoped<WebhookAdmin>();
        services.AddWebhookHttpClient();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
