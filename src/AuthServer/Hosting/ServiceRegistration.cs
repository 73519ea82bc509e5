using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Connect;
using AuthServer.Features.Login;
using AuthServer.Features.Login.Email;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Passkeys;
using AuthServer.Features.RateLimiting;
using AuthServer.Features.Sessions;
using AuthServer.Hosting.Http;
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

        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KeyOptions>().BindConfiguration(KeyOptions.Section);
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
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
        services.AddSingleton<IErrorPageRenderer, LoginPageRenderer>();
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
        services.AddPasskeys();
        services.AddEmailLogin();
        services.AddAdmin();
        return builder;
    }

    private static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddSingleton<OrganizationSecrets>();
        services.AddSingleton<OrganizationCache>();
        services.AddSingleton<SharedApplicationCache>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddScoped<OrganizationService>();
        return services;
    }

    private static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddScoped<SessionService>();
        services.AddScoped<SessionValidator>();
        services.AddSingleton<SessionCookie>();
        return services;
    }

    private static IServiceCollection AddEmailLogin(this IServiceCollection services)
    {
        services.AddOptions<LoginOptions>().BindConfiguration(LoginOptions.Section);
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
        services.AddScoped<DatabaseRateLimiter>();
        services.AddScoped<SignInCompleter>();
        services.AddScoped<LoginAttemptService>();
        services.AddScoped<CodeExchangeService>();
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
        app.UseWhen(context => IsOpenIddictPath(context.Request.Path), branch => branch.UseAuthentication());
        // UseAuthentication marks the builder it runs on; a branch's mark does not reach this one, and without
        // it WebApplication would add another authentication middleware in front of everything (before the
        // output cache and the status code pages). This is the key ASP.NET Core's UseAuthentication sets; the
        // output-cache and error-page tests fail if it ever changes.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();

        app.MapAuthHealthChecks();
        app.MapErrorCatalogApi();
        app.MapLoginPage();
        app.MapPasskeys();
        app.MapCentralAuthApi();
        app.MapConnect();
        app.MapAdminApi();
        return app;
    }

    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>Where OpenIddict's endpoints are: /connect/* and the discovery document and JWKS.</summary>
    private static bool IsOpenIddictPath(PathString path) =>
        path.StartsWithSegments("/connect", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/.well-known", StringComparison.OrdinalIgnoreCase);
}
