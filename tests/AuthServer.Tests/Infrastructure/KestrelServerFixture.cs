using System.Net;
using System.Net.Sockets;
using AuthServer.Features.Organizations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// The server on a real socket (for a real browser), sending email through the run's real SMTP server,
/// plus a tiny "app" on another port whose callback shows what it received.
/// </summary>
public sealed class KestrelServerFixture : IAsyncLifetime
{
    private TestDatabase? database;
    private AuthServerFactory? factory;
    private WebApplication? app;

    public string BaseUrl { get; private set; } = "";
    public string AppOrigin { get; private set; } = "";
    public AuthServerFactory Factory => factory!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var port = FreePort();
        BaseUrl = $"http://localhost:{port}";
        factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Server:PublicBaseUrl"] = BaseUrl,
            ["Email:Smtp:Host"] = TestEnvironment.SmtpHost,
            ["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "none",
            ["Login:ResendInterval"] = "00:00:00",
        });
        factory.UseKestrel(port);
        factory.StartServer();

        var appPort = FreePort();
        AppOrigin = $"http://localhost:{appPort}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(AppOrigin);
        app = builder.Build();
        app.MapGet("/callback", (HttpContext context) => Results.Content(
            $"<!doctype html><html><body style=\"font-family:sans-serif;padding:2em\"><h1>Example app</h1><p id=\"result\">Signed in. Code received: <code>{WebUtility.HtmlEncode(context.Request.Query["code"])}</code></p></body></html>",
            "text/html"));
        await app.StartAsync();
    }

    public async Task<TestOrganization> CreateOrganizationAsync(string name, Action<AuthServer.Data.Entities.Organization>? configure = null)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
            .CreateAsync(name, [AppOrigin], o =>
            {
                o.Settings.AllowLocalhost = true;
                configure?.Invoke(o);
            }, CancellationToken.None);
        return new TestOrganization(created.Organization.Id, created.Secret);
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
