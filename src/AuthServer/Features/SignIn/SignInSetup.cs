using AuthServer.Features.Audit;
using AuthServer.Features.Login.Page;
using AuthServer.Features.RateLimiting;

namespace AuthServer.Features.SignIn;

public static class SignInSetup
{
    /// <summary>
    /// The sign-in core: one authorization-request service, the completer every login method ends in, the registries
    /// of login methods and faces (each feature adds its own), the hosted page's responder and the audit trail.
    /// </summary>
    public static IServiceCollection AddSignInCore(this IServiceCollection services)
    {
        services.AddScoped<AuthorizationRequestService>();
        services.AddScoped<SignInCompleter>();
        services.AddSingleton<LoginMethods>();
        services.AddScoped<SignInFaces>();
        services.AddScoped<LoginPageResponder>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<DatabaseRateLimiter>();
        return services;
    }

    /// <summary>Registers a protocol face (how a completed sign-in returns to the app).</summary>
    public static IServiceCollection AddSignInFace<T>(this IServiceCollection services) where T : class, ISignInFace =>
        services.AddScoped<ISignInFace, T>();
}
