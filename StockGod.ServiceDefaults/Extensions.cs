using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every StockGod service gets, as the Aspire ServiceDefaults template gives it:
/// OpenTelemetry, health checks, service discovery and resilient HttpClients.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Telemetry sources and meters of the application's own code, shared by all services.</summary>
    public const string StockGodTelemetryPrefix = "StockGod";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter($"{StockGodTelemetryPrefix}.*"));

        if (IsTracingEnabled(builder))
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing =>
            {
                // A sampler from configuration (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG) is read by the SDK itself;
                // without one the SDK's default (parent-based, always on) applies, except in Development: always on.
                if (builder.Environment.IsDevelopment() && string.IsNullOrWhiteSpace(builder.Configuration[TracesSamplerKey]))
                {
                    tracing.SetSampler(new AlwaysOnSampler());
                }

                tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource($"{StockGodTelemetryPrefix}.*")
                    .AddAspNetCoreInstrumentation(options =>
                        // Probes would drown the traces that matter.
                        options.Filter = context =>
                            !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                            && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                    .AddGrpcClientInstrumentation()
                    .AddHttpClientInstrumentation();
            });
        }

        if (HasOtlpExporter(builder))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Whether traces are recorded at all: when they go somewhere (an OTLP endpoint is configured), when a sampler is
    /// configured explicitly (<c>OTEL_TRACES_SAMPLER</c>), or in Development. Otherwise nothing would read them, and
    /// recording them costs every request (and every SQL command and Redis call) an activity with its tags. Without
    /// tracing each request still has its W3C activity (ASP.NET Core creates it for log correlation), so logs and
    /// ProblemDetails keep their trace id.
    /// </summary>
    public static bool IsTracingEnabled(IHostApplicationBuilder builder) =>
        HasOtlpExporter(builder)
        || !string.IsNullOrWhiteSpace(builder.Configuration[TracesSamplerKey])
        || builder.Environment.IsDevelopment();

    private const string TracesSamplerKey = "OTEL_TRACES_SAMPLER";

    private static bool HasOtlpExporter(IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check: readiness) and <c>/alive</c> (checks tagged <c>live</c>).
    /// Unlike the Aspire template they are mapped in every environment because container probes need
    /// them; outside Development they answer with the status only, never the details.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var detailed = app.Environment.IsDevelopment();
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = detailed ? HealthReportWriter.WriteDetailed : HealthReportWriter.WriteStatusOnly,
        }).DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
            ResponseWriter = HealthReportWriter.WriteStatusOnly,
        }).DisableHttpMetrics();
        return app;
    }
}
