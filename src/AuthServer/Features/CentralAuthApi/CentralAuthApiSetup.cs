using AuthServer.Features.SignIn;

namespace AuthServer.Features.CentralAuthApi;

public static class CentralAuthApiSetup
{
    /// <summary>The CentralAuth-style face: its code exchange and how a sign-in returns to its apps.</summary>
    public static IServiceCollection AddCentralAuthApi(this IServiceCollection services)
    {
        services.AddScoped<CodeExchangeService>();
        services.AddSignInFace<CentralAuthFace>();
        return services;
    }
}
