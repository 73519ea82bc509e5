using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AuthServer.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics for ASP.NET Core, HttpClient, Npgsql and the server's own meter
/// (<see cref="AuthMetrics"/>). Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter
/// reads the standard OTEL_* variables itself), and scraped by Prometheus on a port of its own or, when
/// configured, a path; neither by default, so nothing is exposed on the public listener unasked.
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
            .Validate(t => t.Prometheus.Path is null || (t.Prometheus.Path.StartsWith('/') && t.Prometheus.Path.Length > 1),
                "Telemetry:Prometheus:Path must be an absolute path such as /metrics.")
            // The ASP.NET Core scrape endpoint finds its exporter only when it is the provider's one reader of its kind.
            .Validate(t => t.Prometheus.Port is null || t.Prometheus.Path is null, "Set Telemetry:Prometheus:Port or Telemetry:Prometheus:Path, not both.")
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
                        o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
                            && (settings.Prometheus.Path is null || !context.Request.Path.StartsWithSegments(settings.Prometheus.Path, StringComparison.OrdinalIgnoreCase));
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

                if (settings.Prometheus.Path is not null)
                {
                    metrics.AddPrometheusExporter();
                }

                if (settings.Prometheus.Port is { } port)
                {
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Host = settings.Prometheus.Host;
                        o.Port = port;
                    });
                }
            });
        return builder;
    }

    /// <summary>The scrape path on the public listener, only when <c>Telemetry:Prometheus:Path</c> asks for it.</summary>
    public static WebApplication MapAuthMetrics(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (settings.Enabled && settings.Prometheus.Path is { } path)
        {
            app.MapPrometheusScrapingEndpoint(path);
        }

        return app;
    }
}
