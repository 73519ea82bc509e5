namespace AuthServer.Hosting.Telemetry;

/// <summary>Section "Telemetry": traces and metrics (OpenTelemetry). OTLP export follows the standard OTEL_* environment variables.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Collect traces and metrics at all. Off, no listener is attached and instruments cost a branch.</summary>
    public bool Enabled { get; set; } = true;

    public PrometheusSettings Prometheus { get; set; } = new();

    public sealed class PrometheusSettings
    {
        /// <summary>
        /// A port of its own for the scrape endpoint (<c>http://Host:Port/metrics</c>), apart from the public
        /// listener. Unset by default: no scrape endpoint at all.
        /// </summary>
        public int? Port { get; set; }

        /// <summary>The host the scrape listener binds to: <c>localhost</c> by default, <c>+</c> for every interface (a container).</summary>
        public string Host { get; set; } = "localhost";
    }
}
