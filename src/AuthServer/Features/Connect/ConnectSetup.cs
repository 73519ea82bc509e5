using AuthServer.Features.SignIn;

namespace AuthServer.Features.Connect;

public static class ConnectSetup
{
    /// <summary>The OpenID Connect face beside OpenIddict (Hosting/OpenIddictSetup.cs): how a sign-in returns to /connect/authorize.</summary>
    public static IServiceCollection AddConnect(this IServiceCollection services)
    {
        services.AddSignInFace<OpenIdConnectFace>();
        return services;
    }
}
