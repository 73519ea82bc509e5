namespace AuthServer.Features.Organizations;

public static class OrganizationsSetup
{
    /// <summary>Organizations: the cache every request reads, secrets, the one client authenticator, changes.</summary>
    public static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddSingleton<OrganizationSecrets>();
        services.AddSingleton<Upstream.UpstreamSecrets>();
        services.AddSingleton<OrganizationCache>();
        services.AddSingleton<Connect.SharedApplicationCache>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddScoped<OrganizationService>();
        return services;
    }
}
