using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Account;
using AuthServer.Features.Admin;
using AuthServer.Features.Branding;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Connect;
using AuthServer.Features.AdminConsole;
using AuthServer.Features.Login;
using AuthServer.Features.Login.Email;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Passkeys;
using AuthServer.Features.RateLimiting;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;
using AuthServer.Features.Upstream;
using AuthServer.Features.Webhooks;
using AuthServer.Features.Tokens.Refresh;
using AuthServer.Hosting.Telemetry;
using AuthServer.Hosting.Http;
using AuthServer.Pages;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
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
        builder.AddAuthTelemetry();
        // Static web assets of packages (the admin console's blazor.web.js) when running from a build rather than a
        // publish (dotnet run, the tests): read from the build's manifest. A published app has them in wwwroot and no manifest.
        builder.WebHost.UseStaticWebAssets();

        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KeyOptions>().BindConfiguration(KeyOptions.Section).ValidateOnStart();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();

        services.AddAuthDatabase();

        // Keys shared through the database: cookies and protected secrets are readable on every instance.
        var dataProtection = services.AddDataProtection().SetApplicationName("AuthServer").PersistKeysToDbContext<AuthDbContext>();
        var dataProtectionSettings = configuration.GetSection(DataProtectionSettings.Section).Get<DataProtectionSettings>();
        if (!string.IsNullOrWhiteSpace(dataProtectionSettings?.CertificatePath))
        {
            dataProtection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                dataProtectionSettings.CertificatePath, dataProtectionSettings.CertificatePassword));
        }

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ServerOptions>>((forwarded, server) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in server.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });

        services.AddAuthOpenIddict();
        services.AddAuthHealthChecks();
        services.AddDiscoveryCache();
        services.AddAuthorization();

        // Malformed requests throw, so the error middleware answers them with the catalog's JSON.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
        services.AddPages();
        // Registered first, so the error middleware wraps the whole pipeline, hosting additions included.
        services.AddTransient<IStartupFilter, ErrorHandlingStartupFilter>();
        services.AddHttpHygiene();
        services.AddServerStartup();

        services.AddSingleton<ServerKeyRing>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<DemoOrganizationSeeder>();
        services.AddHostedService<ExpiredDataCleanup>();

        services.AddOrganizations();
        services.AddSessions();
        services.AddSignInCore();
        services.AddEmailLogin();
        services.AddPasskeys();
        services.AddUpstream();
        services.AddAccountPage();
        services.AddCentralAuthApi();
        services.AddConnect();
        services.AddAdmin();
        services.AddWebhooks();
        services.AddConsole();
        return builder;
    }

    /// <summary>The request pipeline and every endpoint.</summary>
    public static WebApplication UseAuthServer(this WebApplication app)
    {
        // Also first in the app's own pipeline: in Development, hosting puts its exception page in front
        // of it, and errors must keep the catalog's shape there too.
        app.UseMiddleware<ErrorHandlingMiddleware>();
        if (app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        // Bodiless error statuses (OpenIddict's errors that must not redirect) get the styled error page.
        app.UseStatusCodePages(ConnectErrorPage.RenderAsync);
        app.UseStaticFiles();
        app.UseOutputCache();
        app.UseRouting();
        // The authentication middleware's only per-request work here is OpenIddict's request handler, which
        // dispatches its event pipeline on every request to find out whether it is one of its endpoints: about
        // 8% of a CentralAuth userinfo call. So it runs only under OpenIddict's paths. The admin API does not
        // need it: its policy names the API-key scheme, which the authorization middleware authenticates itself.
        // Refresh-token requests in the common shape are rotated before OpenIddict (Features/Tokens/Refresh).
        app.UseWhen(context => IsOpenIddictPath(context.Request.Path), branch => branch.UseMiddleware<RefreshGrantMiddleware>().UseAuthentication());
        // UseAuthentication marks the builder it runs on; a branch's mark does not reach this one, and without
        // it WebApplication would add another authentication middleware in front of everything (before the
        // output cache and the status code pages). This is the key ASP.NET Core's UseAuthentication sets; the
        // output-cache and error-page tests fail if it ever changes.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();
        app.UseConsole();

        app.MapAuthHealthChecks();
        app.MapErrorCatalogApi();
        app.MapLoginPage();
        app.MapAccountPage();
        app.MapBrandingAssets();
        app.MapCentralAuthApi();
        app.MapConnect();
        app.MapAdminApi();
        app.MapConsole();
        return app;
    }

    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>Where OpenIddict's endpoints are: /connect/* and the discovery document and JWKS.</summary>
    private static bool IsOpenIddictPath(PathString path) =>
        path.StartsWithSegments("/connect", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/.well-known", StringComparison.OrdinalIgnoreCase)
        // OpenIddict's client: the upstream sign-in's challenge and callbacks (Features/Upstream).
        || path.StartsWithSegments(UpstreamSetup.PathPrefix, StringComparison.OrdinalIgnoreCase);
}
