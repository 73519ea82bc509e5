using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using AuthServer.Data.Entities;
using AuthServer.Features.Organizations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ClientCollection : ICollectionFixture<ClientFixture>
{
    public const string Name = "AuthClient against the real server";
}

/// <summary>
/// The real auth server on a real socket and its own PostgreSQL database (emails to an outbox folder), an
/// organization whitelisting the app, and an app on another port that uses the library exactly as the
/// README says: AddAuthClient(configuration) + MapAuthClient("/api/auth") + protected endpoints.
/// </summary>
public sealed class ClientFixture : IAsyncLifetime
{
    public const string UserAgent = "TestBrowser/1.0";

    private TestDatabase? _database;
    private AuthServerFactory? _server;
    private WebApplication? _app;
    private readonly string _outboxPath = Path.Combine(Path.GetTempPath(), "authclient-outbox-" + Guid.NewGuid().ToString("N"));

    public string ServerUrl { get; private set; } = "";
    public string AppUrl { get; private set; } = "";
    public string CallbackUrl => AppUrl + "/api/auth/callback";
    public string ClientId { get; private set; } = "";
    public string Secret { get; private set; } = "";
    public AuthServerFactory Server => _server ?? throw new InvalidOperationException("Fixture not initialized.");
    public WebApplication App => _app ?? throw new InvalidOperationException("Fixture not initialized.");
    public Outbox Outbox => new(_outboxPath, _database!.ConnectionString);

    /// <summary>The app's log lines (the library's among them).</summary>
    public LogCapture AppLogs { get; } = new();

    /// <summary>Every call the app's AuthClient made to the server.</summary>
    public RequestLog Requests { get; } = new();

    /// <summary>The app's own AuthClient (from its DI container).</summary>
    public AuthClient AppClient => App.Services.GetRequiredService<AuthClient>();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var serverPort = FreePort();
        ServerUrl = $"http://localhost:{serverPort}";
        _server = new AuthServerFactory(_database.ConnectionString, new Dictionary<string, string?>
        {
            ["Server:PublicBaseUrl"] = ServerUrl,
            ["Email:OutboxPath"] = _outboxPath,
            ["Login:ResendInterval"] = "00:00:00",
            ["Login:MaxEmailsPerAddress"] = "1000",
            ["Login:MaxEmailsPerIp"] = "1000",
            ["Login:MaxCodeChecksPerIp"] = "1000",
            ["Login:MaxCodeChecksPerAddress"] = "1000",
        });
        _server.UseKestrel(serverPort);
        _server.StartServer();

        var appPort = FreePort();
        AppUrl = $"http://localhost:{appPort}";
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
                .CreateAsync("Client test organization", [AppUrl], o =>
                {
                    o.Settings.AllowLocalhost = true;
                    // Every sign-in of these tests comes from one address; the proof-of-work step has tests of its own.
                    o.Settings.ProofOfWorkThreshold = 0;
                }, CancellationToken.None);
            ClientId = created.Organization.Id.ToString();
            Secret = created.Secret;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AuthClient:ClientId"] = ClientId,
            ["AuthClient:Secret"] = Secret,
            ["AuthClient:AuthBaseUrl"] = ServerUrl,
            ["AuthClient:CallbackUrl"] = CallbackUrl,
            // Most tests count the calls to the server and end sessions behind the app's back: no cache here
            // (CachingTests covers the default). The test browser's X-Forwarded-For is trusted on purpose.
            ["AuthClient:UserCacheTime"] = "00:00:00",
            ["AuthClient:UseForwardedHeaders"] = "true",
        });
        builder.Logging.ClearProviders().AddProvider(AppLogs).SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.UseUrls(AppUrl);
        builder.Services.AddAuthClient(builder.Configuration);
        builder.Services.AddHttpClient(AuthClient.HttpClientName).AddHttpMessageHandler(() => Requests.Handler());
        _app = builder.Build();
        MapTestApp(_app);
        await _app.StartAsync();
    }

    /// <summary>The options of the app's client, changed by <paramref name="change"/>, for clients made in a test.</summary>
    public AuthClientOptions Options(Action<AuthClientOptions>? change = null)
    {
        var options = new AuthClientOptions
        {
            ClientId = ClientId, Secret = Secret, AuthBaseUrl = ServerUrl, CallbackUrl = CallbackUrl, UserCacheTime = TimeSpan.Zero, UseForwardedHeaders = true,
        };
        change?.Invoke(options);
        return options;
    }

    /// <summary>A client of its own (own cache, own request log), talking to the real server.</summary>
    public (AuthClient Client, RequestLog Log) NewClient(Action<AuthClientOptions>? change = null, ILogger<AuthClient>? logger = null)
    {
        var log = new RequestLog();
        var handler = log.Handler();
        handler.InnerHandler = new HttpClientHandler();
        var client = new AuthClient(Options(change), new HttpClient(handler), new MemoryCache(new MemoryCacheOptions()), logger);
        return (client, log);
    }

    public Browser Browser(string userAgent = UserAgent) => new(this, userAgent);

    /// <summary>Sets something on the server's session of a user, e.g. an old Created or an EndedAt.</summary>
    public Task<int> UpdateSessionsOfAsync(string email, Func<Session, Session> change) =>
        Server.WithDbAsync(async db =>
        {
            var normalized = email.ToLowerInvariant();
            var sessions = db.Sessions.Where(s => s.User!.NormalizedEmail == normalized).ToList();
            foreach (var session in sessions)
            {
                change(session);
            }

            return await db.SaveChangesAsync();
        });

    public Task<int> SetUserBlockedAsync(string email, bool blocked) =>
        Server.WithDbAsync(async db =>
        {
            var normalized = email.ToLowerInvariant();
            foreach (var user in db.Users.Where(u => u.NormalizedEmail == normalized).ToList())
            {
                user.Blocked = blocked;
            }

            return await db.SaveChangesAsync();
        });

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (Directory.Exists(_outboxPath))
        {
            Directory.Delete(_outboxPath, recursive: true);
        }
    }

    /// <summary>The app: the library's endpoints (once with a callback error hook that shows the code, once as is) and protected pages.</summary>
    private static void MapTestApp(WebApplication app)
    {
        app.MapAuthClient("/api/auth", options => options.OnCallbackError = (_, e) =>
            Results.Json(new CallbackFailure(e.Error.ToString(), e.ErrorCode, e.Message, e.StatusCode), statusCode: StatusCodes.Status400BadRequest));
        app.MapAuthClient("/default/auth");

        app.MapGet("/public", () => "public");
        app.MapGet("/protected", (HttpContext context) => Results.Json(new ProtectedView(
            context.User.FindFirstValue("sub"),
            context.User.FindFirstValue(ClaimTypes.NameIdentifier),
            context.User.FindFirstValue("email"),
            context.User.FindFirstValue("email_verified"),
            context.User.FindFirstValue("organization_id"),
            context.User.Identity?.Name,
            context.User.Identity?.AuthenticationType,
            context.GetAuthUser()?.Id))).RequireAuthorization();
        app.MapGet("/attribute", [Authorize] (ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Email));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record CallbackFailure(string Error, string? ErrorCode, string Message, int? StatusCode)
{
    public AuthErrorCode Code => Enum.Parse<AuthErrorCode>(Error);
}

public sealed record ProtectedView(string? Sub, string? NameIdentifier, string? Email, string? EmailVerified, string? OrganizationId,
    string? Name, string? AuthenticationType, string? AuthUserId);
