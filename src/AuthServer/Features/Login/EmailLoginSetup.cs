using AuthServer.Features.Login.Email;
using AuthServer.Features.Login.Page;
using AuthServer.Features.SignIn;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login;

public static class EmailLoginSetup
{
    /// <summary>The email login method (code or link), its email delivery, and the hosted page's anti-forgery.</summary>
    public static IServiceCollection AddEmailLogin(this IServiceCollection services)
    {
        services.AddOptions<LoginOptions>().BindConfiguration(LoginOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LoginOptions>, LoginOptionsValidation>();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section)
            .Validate<IHostEnvironment>(
                (email, environment) => !string.IsNullOrWhiteSpace(email.Smtp.Host) || email.AllowOutbox || environment.IsDevelopment() || environment.IsEnvironment("Testing"),
                "No SMTP server configured: set Email:Smtp:Host (Email__Smtp__Host). The outbox (codes written to the log) is for development only; set Email:AllowOutbox=true to use it anyway.")
            .ValidateOnStart();
        // SMTP when a host is configured; otherwise the log and the outbox folder (development).
        services.AddSingleton<IEmailSender>(provider =>
            string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<EmailOptions>>().Value.Smtp.Host)
                ? ActivatorUtilities.CreateInstance<OutboxEmailSender>(provider)
                : ActivatorUtilities.CreateInstance<SmtpEmailSender>(provider));
        services.AddSingleton<LoginSecrets>();
        services.AddLoginMethod<EmailLoginMethod>();
        services.AddScoped<LoginAttemptService>();
        services.AddAntiforgery(options =>
        {
            options.Cookie = new EmbeddableCookieBuilder();
            options.Cookie.Name = "authserver.antiforgery";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }
}
