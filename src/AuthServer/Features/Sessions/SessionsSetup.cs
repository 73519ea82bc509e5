namespace AuthServer.Features.Sessions;

public static class SessionsSetup
{
    /// <summary>Sessions: their lifecycle, the one validator of both faces, the SSO cookie.</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddScoped<SessionService>();
        services.AddScoped<SessionValidator>();
        services.AddSingleton<SessionCookie>();
        return services;
    }
}
