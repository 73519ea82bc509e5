using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.Tests.Foundation;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseOutageCollection
{
    // Its own PostgreSQL cluster: the other tests never see it stop. It runs alone anyway, because it measures
    // answer times (3 s, 2 s) that a machine busy with other tests would blur.
    public const string Name = "Database outage (own PostgreSQL, timed, runs alone)";
}

/// <summary>A login server whose database lives on a PostgreSQL cluster of its own, with its log captured.</summary>
public sealed class OutageFixture : LoginServerFixture
{
    public PrivatePostgres Postgres { get; private set; } = null!;
    public CapturedLog Log { get; } = new();

    protected override Action<IServiceCollection> ConfigureServices => services => services.AddSingleton<ILoggerProvider>(Log);

    protected override async Task<TestDatabase> CreateDatabaseAsync()
    {
        Postgres = await PrivatePostgres.StartAsync();
        return await Postgres.CreateDatabaseAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

/// <summary>
/// The database stopped, restarted, frozen (SIGSTOP: it accepts connections and answers nothing) or away at
/// start: every request answers 503 serviceUnavailable with Retry-After quickly (never a 500 or a hang), one
/// warning line each, and the server serves again as soon as the database does, without a restart.
/// </summary>
[Collection(DatabaseOutageCollection.Name)]
public sealed class DatabaseOutageTests(OutageFixture fixture) : IClassFixture<OutageFixture>
{
    [Fact]
    public async Task Database_down_answers_serviceUnavailable_and_the_first_request_after_a_restart_is_served()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "outage@example.com");
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);

        await fixture.Postgres.StopServerAsync();
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var body = await (await driver.UserInfoAsync(organization, tokens.AccessToken)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "serviceUnavailable");
            Assert.True(body.GetProperty("retryAfter").GetInt32() > 0);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"The outage answer took {stopwatch.Elapsed}.");

            // One warning line per refused request, without a stack trace (EF Core's own error logs are silenced).
            fixture.Log.Clear();
            var response = await driver.UserInfoAsync(organization, tokens.AccessToken);
            Assert.NotNull(response.Headers.RetryAfter);
            var logged = fixture.Log.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
            var line = Assert.Single(logged);
            Assert.Equal(LogLevel.Warning, line.Level);
            Assert.Null(line.Exception);
            Assert.Contains("serviceUnavailable", line.Message);
            Assert.DoesNotContain("   at ", line.Message);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await driver.Client.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await driver.Client.GetAsync("/health/live")).StatusCode);

            // The login page needs the database too: a page error, still no 500.
            var login = await driver.Client.GetAsync(LoginDriver.LoginUrl(new TestOrganization(Guid.NewGuid(), "x")));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);

            // The login form's post, as a browser sends it: an HTML page in the login page's style, not JSON.
            var post = await driver.Client.PostAsync("/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["request"] = page.RequestId,
                ["__RequestVerificationToken"] = page.AntiforgeryToken,
                ["email"] = "someone@example.com",
            }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
            Assert.Equal("text/html", post.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(post.Headers.RetryAfter);
            Assert.Contains("serviceUnavailable", await post.Content.ReadAsStringAsync());

            // A light, bounded load of the calls apps make: every answer is 503, none is a 500 or a hang.
            var load = Enumerable.Range(0, 20).Select(async i => i % 2 == 0
                ? (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode
                : (await driver.VerifyAsync(organization, "code-" + i)).StatusCode);
            Assert.All(await Task.WhenAll(load), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        }
        finally
        {
            await fixture.Postgres.StartServerAsync();
        }

        // No readiness probe first: the very first request after the restart meets the pool's dead connections.
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.Client.GetAsync("/health/ready")).StatusCode);

        // Full service after: a whole new sign-in works, and nothing was half-written during the outage.
        var after = await driver.SignInAndVerifyAsync(organization, "after-outage@example.com");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, after.AccessToken)).StatusCode);
        var orphans = await fixture.Factory.WithDbAsync(async db =>
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Sessions, s => s.OrganizationId == organization.Id && s.VerifiedAt == null));
        Assert.Equal(0, orphans);
    }

    [Fact]
    public async Task A_frozen_database_gets_only_fast_503s_and_full_service_within_2_s_of_thawing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "frozen@example.com");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);

        var answers = new ConcurrentBag<(string Call, HttpStatusCode Status, TimeSpan Took, DateTime At)>();
        fixture.Log.Clear();
        await fixture.Postgres.FreezeAsync();
        try
        {
            // 10 s of light, bounded load: three callers in a loop (userinfo, code exchange, readiness probe).
            var until = DateTime.UtcNow.AddSeconds(10);
            async Task CallerAsync(string call, Func<Task<HttpResponseMessage>> send)
            {
                while (DateTime.UtcNow < until)
                {
                    var stopwatch = Stopwatch.StartNew();
                    using var response = await send();
                    answers.Add((call, response.StatusCode, stopwatch.Elapsed, DateTime.UtcNow));
                }
            }

            await Task.WhenAll(
                CallerAsync("userinfo", () => driver.UserInfoAsync(organization, tokens.AccessToken)),
                CallerAsync("verify", () => driver.VerifyAsync(organization, "00000")),
                CallerAsync("ready", () => driver.Client.GetAsync("/health/ready")));
        }
        finally
        {
            await fixture.Postgres.ThawAsync();
        }

        var thawed = Stopwatch.StartNew();
        Assert.True(answers.Count >= 9, $"Only {answers.Count} answers in 10 s.");
        // The server's own bound is about 2-3 s (1 s command timeout, then a cancellation over a new connection,
        // itself bounded by the 1 s connect timeout); 1 s more for a slow shared machine, where a few answers of a
        // 10 s run took 3.6 s.
        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.ServiceUnavailable && a.Took < TimeSpan.FromSeconds(4),
            $"{a.Call} answered {(int)a.Status} after {a.Took.TotalSeconds:0.00} s at {a.At:HH:mm:ss.fff}; log:\n{string.Join('\n', fixture.Log.Entries)}"));

        while ((await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(thawed.Elapsed < TimeSpan.FromSeconds(2), "No full service within 2 s of thawing.");
            await Task.Delay(50);
        }

        Assert.True(thawed.Elapsed < TimeSpan.FromSeconds(2), $"Full service came back after {thawed.Elapsed.TotalSeconds:0.00} s.");
        Assert.Equal(HttpStatusCode.OK, (await driver.Client.GetAsync("/health/ready")).StatusCode);
        var after = await driver.SignInAndVerifyAsync(organization, "after-freeze@example.com");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, after.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Database_away_at_start_the_server_listens_live_not_ready_then_ready_when_it_comes()
    {
        await using var database = await fixture.Postgres.CreateDatabaseAsync();
        await fixture.Postgres.StopServerAsync();
        ServerProcess? server = null;
        try
        {
            server = await ServerProcess.StartAsync(database.ConnectionString, "http://localhost", Path.Combine(Path.GetTempPath(), "authserver-outbox-" + Guid.NewGuid().ToString("N")),
                new Dictionary<string, string> { ["Server__DatabaseStartupTimeoutSeconds"] = "120" }, waitUntilReady: false);
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
            await WaitUntilAsync(async () => (await TryGetAsync(http, "/health/live")) == HttpStatusCode.OK, TimeSpan.FromSeconds(30), server);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, await TryGetAsync(http, "/health/ready"));
            var stopwatch = Stopwatch.StartNew();
            var refused = await http.GetAsync("/api/v1/errors");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3));
            await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "serviceUnavailable");
            Assert.NotNull(refused.Headers.RetryAfter);
            var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, token.StatusCode);
            Assert.Contains("temporarily_unavailable", await token.Content.ReadAsStringAsync());

            await fixture.Postgres.StartServerAsync();
            await WaitUntilAsync(async () => (await TryGetAsync(http, "/health/ready")) == HttpStatusCode.OK, TimeSpan.FromSeconds(60), server);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/.well-known/openid-configuration")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/errors")).StatusCode);
            Assert.DoesNotContain("   at ", server.Output);
        }
        finally
        {
            await fixture.Postgres.StartServerAsync();
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return (await http.GetAsync(path)).StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.False(server.HasExited, "The server exited: " + server.Output);
            Assert.True(DateTime.UtcNow < deadline, $"Not reached within {timeout.TotalSeconds} s. Server output: {server.Output}");
            await Task.Delay(200);
        }
    }
}

public sealed class DatabaseTimeoutSettingsTests
{
    [Fact]
    public void Short_timeouts_are_the_default_and_a_connection_string_value_wins()
    {
        static Npgsql.NpgsqlConnectionStringBuilder Effective(string connectionString) => new(AuthServer.Hosting.DatabaseSetup.ConnectionString(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:AuthDb"] = connectionString }).Build()));

        var defaults = Effective("Host=db;Database=auth");
        Assert.Equal(1, defaults.Timeout);
        Assert.Equal(1, defaults.CommandTimeout);
        Assert.Equal(-1, defaults.CancellationTimeout);
        Assert.Equal(Npgsql.GssEncryptionMode.Disable, defaults.GssEncryptionMode);
        Assert.True(defaults.NoResetOnClose);

        var configured = Effective("Host=db;Database=auth;Command Timeout=30;Timeout=10;GSS Encryption Mode=Prefer;No Reset On Close=false");
        Assert.Equal(10, configured.Timeout);
        Assert.Equal(30, configured.CommandTimeout);
        Assert.Equal(Npgsql.GssEncryptionMode.Prefer, configured.GssEncryptionMode);
        Assert.False(configured.NoResetOnClose);
    }
}
