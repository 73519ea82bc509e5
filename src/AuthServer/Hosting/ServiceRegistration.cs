using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;

namespace AuthServer.Hosting;

public static class ServiceRegistration
{
    /// <summary>Everything the server needs, feature by feature.</summary>
    public static WebApplicationBuilder AddAuthServer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.Logging.AddAuthLogging(configuration);

        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KeyOptions>().BindConfiguration(KeyOptions.Section);
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();

        services.AddAuthDatabase();

        // Keys shared through the database: cookies and protected secrets are readable on every instance.
        services.AddDataProtection().SetApplicationName("AuthServer").PersistKeysToDbContext<AuthDbContext>();

        services.AddAuthOpenIddict();
        services.AddAuthHealthChecks();
        services.AddAuthorization();

        // Malformed requests throw, so the error middleware answers them with the catalog's JSON.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
        services.AddSingleton<IErrorPageRenderer, PlainErrorPageRenderer>();
        // Registered first, so the error middleware wraps the whole pipeline, hosting additions included.
        services.AddTransient<IStartupFilter, ErrorHandlingStartupFilter>();

        services.AddSingleton<ServerKeyRing>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<DemoOrganizationSeeder>();

        services.AddOrganizations();
        return builder;
    }

    private static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddSingleton<OrganizationSecrets>();
        services.AddSingleton<OrganizationCache>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddScoped<OrganizationService>();
        return services;
    }

    /// <summary>The request pipeline and every endpoint.</summary>
    public static WebApplication UseAuthServer(this WebApplication app)
    {
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapAuthHealthChecks();
        app.MapErrorCatalogApi();
        return app;
    }
}
