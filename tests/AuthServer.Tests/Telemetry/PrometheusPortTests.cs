using System.Net;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Telemetry;

/// <summary>
/// <c>Telemetry:Prometheus:Port</c> as an operator sets it: a real server process, configured by environment
/// variables only, serves its metrics on that port and not on the public listener.
/// </summary>
public sealed class PrometheusPortTests
{
    [Fact]
    public async Task A_server_process_serves_metrics_on_the_configured_port_only()
    {
        await using var database = await TestDatabase.CreateAsync();
        var outbox = Path.Combine(Path.GetTempPath(), "authserver-metrics-" + Guid.NewGuid().ToString("N"));
        var metricsPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(database.ConnectionString, "http://localhost", outbox,
            new Dictionary<string, string> { ["Telemetry__Prometheus__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            // One request, so the request instruments have something to show.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(server.BaseUrl + "/.well-known/openid-configuration")).StatusCode);

            var scrape = "";
            for (var attempt = 0; attempt < 50 && !scrape.Contains("http_server_request_duration_seconds", StringComparison.Ordinal); attempt++)
            {
                scrape = await http.GetStringAsync($"http://localhost:{metricsPort}/metrics");
                await Task.Delay(200);
            }

            Assert.Contains("http_server_request_duration_seconds", scrape);
            Assert.Contains("# TYPE", scrape);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(server.BaseUrl + "/metrics")).StatusCode);
        }
        finally
        {
            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }
        }
    }
}
