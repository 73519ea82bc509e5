using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AuthServer.Hosting;
using AuthServer.Hosting.Telemetry;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AuthServer.Tests.Telemetry;

/// <summary>A login server with the scrape endpoint on a port of its own, and its spans kept in memory.</summary>
public sealed class TelemetryFixture : LoginServerFixture
{
    public SpanList Spans { get; } = new();
    public int MetricsPort { get; } = FreePort();

    // The scrape listener is added here with the server's own AddScrapeListener: the in-process test host applies
    // its settings only after Program has registered its services, where Telemetry:Prometheus:Port is read (a real
    // process reads it from its environment or appsettings at that point).
    protected override Action<IServiceCollection>? ConfigureServices => services =>
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddScrapeListener("localhost", MetricsPort));
    };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The exporter adds from request threads; the test reads a copy.</summary>
    public sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> items = [];
        private readonly Lock gate = new();

        public int Count { get { lock (gate) { return items.Count; } } }
        public bool IsReadOnly => false;
        public void Add(Activity item) { lock (gate) { items.Add(item); } }
        public void Clear() { lock (gate) { items.Clear(); } }
        public bool Contains(Activity item) { lock (gate) { return items.Contains(item); } }
        public void CopyTo(Activity[] array, int arrayIndex) { lock (gate) { items.CopyTo(array, arrayIndex); } }
        public bool Remove(Activity item) { lock (gate) { return items.Remove(item); } }
        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public List<Activity> Snapshot() { lock (gate) { return [.. items]; } }
    }
}

public sealed class TelemetryTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    [Fact]
    public async Task After_a_sign_in_and_a_failed_one_the_scrape_shows_the_counters_with_their_labels()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await driver.SignInAsync(organization, "metrics@example.com");
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await driver.SubmitEmailAsync(page, "metrics-failed@example.com");
        var refused = await driver.SubmitCodeAsync(codePage, "000000");
        Assert.NotEqual(HttpStatusCode.Redirect, refused.Response.StatusCode);

        var org = $"organization=\"{organization.Id}\"";
        using var scraper = new HttpClient();
        var metrics = await ScrapeUntilAsync(() => scraper.GetStringAsync($"http://localhost:{fixture.MetricsPort}/metrics"), text =>
            Has(text, "authserver_signins_failed_total", org, "method=\"code\"", "error=\"loginAttemptInvalid\""));
        Assert.True(Has(metrics, "authserver_signins_started_total", org, "method=\"code\""), metrics);
        Assert.True(Value(metrics, "authserver_signins_started_total", org, "method=\"code\"") >= 2);
        Assert.True(Has(metrics, "authserver_signins_completed_total", org, "method=\"code\""), metrics);
        Assert.Equal(1, Value(metrics, "authserver_signins_completed_total", org, "method=\"code\""));
        Assert.Equal(1, Value(metrics, "authserver_signins_failed_total", org, "method=\"code\"", "error=\"loginAttemptInvalid\""));
        Assert.True(Has(metrics, "authserver_emails_queued_total", "kind=\"signin.code\""), metrics);
        // Low cardinality: no address, user or client IP in any label of ours.
        Assert.DoesNotContain("metrics@example.com", metrics);
        Assert.DoesNotContain(metrics.Split('\n'), line => line.StartsWith("authserver_", StringComparison.Ordinal) && line.Contains("127.0.0.1", StringComparison.Ordinal));
        // Npgsql names a pool after its connection string unless the data source is named: the server's pool is
        // "authdb", and no pool carries the server's connection string (the only one with a cancellation timeout
        // of -1; the other pools in this scrape are the test fixture's own connections in the same process).
        Assert.Contains($"db_client_connection_pool_name=\"{DatabaseSetup.DataSourceName}\"", metrics);
        Assert.DoesNotContain("Cancellation Timeout=-1", metrics);
        // ASP.NET Core's and Npgsql's own instruments are there too.
        Assert.Contains("http_server_request_duration_seconds", metrics);
        Assert.Contains("db_client_operation_duration_seconds", metrics);
    }

    [Fact]
    public async Task The_scrape_endpoint_is_on_its_own_port_and_not_on_the_public_listener()
    {
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        using var scraper = new HttpClient();
        var metrics = await ScrapeUntilAsync(() => scraper.GetStringAsync($"http://localhost:{fixture.MetricsPort}/metrics"),
            text => text.Contains("http_server_request_duration_seconds", StringComparison.Ordinal));
        Assert.Contains("# TYPE", metrics);
    }

    [Fact]
    public async Task A_sign_in_trace_holds_the_npgsql_spans_and_an_error_body_names_its_trace()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        await driver.SignInAsync(organization, "traced@example.com");

        var spans = fixture.Spans.Snapshot();
        var codePost = spans.Last(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/login/code", StringComparison.Ordinal));
        var database = spans.Where(s => s.TraceId == codePost.TraceId && s.Source.Name == "Npgsql").ToList();
        Assert.NotEmpty(database);
        Assert.All(database, s => Assert.Equal("postgresql", s.GetTagItem("db.system.name") ?? s.GetTagItem("db.system")));

        using var client = fixture.CreateClient();
        var error = await client.GetAsync("/api/v1/userinfo");
        var body = System.Text.Json.JsonDocument.Parse(await error.Content.ReadAsStringAsync()).RootElement;
        var traceId = body.GetProperty("traceId").GetString()!;
        // W3C form: 00-{trace id}-{span id}-{flags}.
        var parts = traceId.Split('-');
        Assert.Equal(4, parts.Length);
        await WaitAsync(() => fixture.Spans.Snapshot().Any(s => s.Kind == ActivityKind.Server && s.TraceId.ToHexString() == parts[1] && s.SpanId.ToHexString() == parts[2]));
    }

    private static bool Has(string metrics, string name, params string[] labels) => Lines(metrics, name, labels).Any();

    private static double Value(string metrics, string name, params string[] labels) =>
        Lines(metrics, name, labels).Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    private static IEnumerable<string> Lines(string metrics, string name, string[] labels) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)));

    private static async Task<string> ScrapeUntilAsync(Func<Task<string>> scrape, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var text = await scrape();
            if (condition(text))
            {
                return text;
            }

            Assert.True(DateTime.UtcNow < deadline, "The scrape never showed the expected series:\n" + text);
            await Task.Delay(250);
        }
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out");
            await Task.Delay(50);
        }
    }
}
