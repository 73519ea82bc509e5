using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AuthServer.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics for ASP.NET Core, HttpClient, Npgsql and the server's own meter
/// (<see cref="AuthMetrics"/>). Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter
/// reads the standard OTEL_* variables itself), and scraped by Prometheus,
/// when configured, a port of its own (never the public listener; nothing by default).
/// Trace ids: ASP.NET Core's request activity is the one exported, so the <c>traceId</c> of error bodies
/// (Activity.Current.Id) and the TraceId of log scopes name the exported trace.
/// </summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddAuthTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(t => t.Prometheus.Port is null or (> 0 and < 65536), "Telemetry:Prometheus:Port must be a TCP port (1-65535).")
            .ValidateOnStart();
        services.AddSingleton<ActiveSessionsGauge>();
        services.AddHostedService(provider => provider.GetRequiredService<ActiveSessionsGauge>());

        var settings = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!settings.Enabled)
        {
            return builder;
        }

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? AuthMetrics.Name))
            .WithTracing(tracing =>
            {
                tracing.AddSource(AuthMetrics.Name)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        // Probes and scrapes would be most of the spans and tell nothing.
                        o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
                    })
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AuthMetrics.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }

                if (settings.Prometheus.Port is { } port)
                {
                    metrics.AddScrapeListener(settings.Prometheus.Host, port);
                }
            });
        return builder;
    }

    /// <summary>The Prometheus scrape endpoint, <c>http://host:port/metrics</c>, on a listener of its own.</summary>
    public static MeterProviderBuilder AddScrapeListener(this MeterProviderBuilder metrics, string host, int port) =>
        metrics.AddPrometheusHttpListener(o =>
        {
            o.Host = host;
            o.Port = port;
        });
}
