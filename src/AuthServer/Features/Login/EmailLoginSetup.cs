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
        services.AddEmailOutbox();
        services.AddSingleton<LoginSecrets>();
        services.AddLoginMethod<EmailLoginMethod>();
        services.AddScoped<LoginAttemptService>();
        services.AddScoped<Lockout.EmailLoginLocks>();
        services.AddScoped<Lockout.LockedEmailComposer>(); // renders components: see LoginEmailComposer
        services.AddSingleton<Links.BrowserBinding>();
        services.AddSingleton<Links.LinkFormToken>();
        services.AddScoped<Challenge.ProofOfWork>();
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
