using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StockGod.AppHost.Hosting;

namespace StockGod.AppHost.Orchestration;

/// <summary>How a local run is set up, from the AppHost's configuration.</summary>
/// <param name="StateDirectory">PostgreSQL's cluster, Redis's append-only file and generated passwords (<c>AppHost:StateDirectory</c>, default <c>.stockgod/</c> at the repository root).</param>
/// <param name="Fresh">Wipe the state first (<c>--fresh</c>).</param>
/// <param name="DashboardUrl">Where the dashboard listens (<c>Dashboard:Url</c>, default http://localhost:18888).</param>
/// <param name="OtlpEndpoint">An OTLP collector for the services' telemetry (<c>ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL</c>, gRPC, or <c>ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>); none by default.</param>
/// <param name="IsDevelopment">The AppHost runs in Development: telemetry is exported every second and always sampled.</param>
public sealed record LocalRunOptions(
    string StateDirectory,
    bool Fresh,
    Uri DashboardUrl,
    string? OtlpEndpoint,
    string? OtlpProtocol,
    string? OtlpApiKey,
    bool IsDevelopment)
{
    public static LocalRunOptions From(IConfiguration configuration, IHostEnvironment environment)
    {
        var grpc = configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"];
        var http = configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"];
        return new LocalRunOptions(
            StateDirectory: Path.GetFullPath(configuration["AppHost:StateDirectory"]
                ?? Path.Combine(DistributedApplicationBuilder.AppHostDirectory, "..", ".stockgod")),
            Fresh: configuration.GetValue<bool>("AppHost:Fresh"),
            DashboardUrl: new Uri(configuration["Dashboard:Url"] ?? "http://localhost:18888"),
            OtlpEndpoint: grpc ?? http,
            OtlpProtocol: grpc is not null ? "grpc" : http is not null ? "http/protobuf" : null,
            OtlpApiKey: configuration["AppHost:OtlpApiKey"],
            IsDevelopment: environment.IsDevelopment());
    }
}
