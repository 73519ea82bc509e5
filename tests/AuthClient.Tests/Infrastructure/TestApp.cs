using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>
/// Another app on its own port, for tests that need a differently configured library (wrong secret, the
/// server behind a <see cref="TcpProxy"/>, other schemes). It uses the fixture's organization and callback
/// URL unless told otherwise, so a token from the fixture's app works here too (cookies on localhost are
/// shared across ports).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, string url, LogCapture logs) => (App, Url, Logs) = (app, url, logs);

    public WebApplication App { get; }
    public string Url { get; }
    public LogCapture Logs { get; }
    public AuthClient Client => App.Services.GetRequiredService<AuthClient>();

    /// <summary>Builds and starts the app: <paramref name="settings"/> override the fixture's AuthClient section.</summary>
    public static async Task<TestApp> StartAsync(ClientFixture fixture, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? services = null, Action<WebApplication>? map = null)
    {
        var app = Build(fixture, settings, services, map, out var url, out var logs);
        await app.StartAsync();
        return new TestApp(app, url, logs);
    }

    /// <summary>Builds the app without starting it, with the log it writes to.</summary>
    public static WebApplication Build(ClientFixture fixture, IDictionary<string, string?>? settings, Action<WebApplicationBuilder>? services,
        Action<WebApplication>? map, out string url, out LogCapture logs)
    {
        url = $"http://localhost:{FreePort()}";
        logs = new LogCapture();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        var values = new Dictionary<string, string?>
        {
            ["AuthClient:ClientId"] = fixture.ClientId,
            ["AuthClient:Secret"] = fixture.Secret,
            ["AuthClient:AuthBaseUrl"] = fixture.ServerUrl,
            ["AuthClient:CallbackUrl"] = fixture.CallbackUrl,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.UseUrls(url);
        if (services is null)
        {
            builder.Services.AddAuthClient(builder.Configuration);
        }
        else
        {
            services(builder);
        }

        var app = builder.Build();
        if (map is null)
        {
            app.MapAuthClient("/api/auth");
            app.MapGet("/protected", (HttpContext context) => context.User.FindFirstValue(ClaimTypes.Email)).RequireAuthorization();
        }
        else
        {
            map(app);
        }

        return app;
    }

    public HttpRequestMessage Get(string path, string? accept = null, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url + path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
