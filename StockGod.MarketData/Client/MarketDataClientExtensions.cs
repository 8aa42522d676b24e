using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Client;
using StockGod.MarketData.V1;
using StockGod.Trading.Market;

// In the hosting namespace, as ServiceDefaults' extensions: composition code calls it without a using.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Consumer side of the MarketData contract, compiled into Api and Scheduler from these linked files (eShop's
/// pattern). MarketData is found at <c>http://marketdata</c> through service discovery.
/// </summary>
public static class MarketDataClientExtensions
{
    public const string HealthCheckName = "marketdata";

    private static readonly Uri Address = new("http://marketdata");

    public static IHostApplicationBuilder AddMarketDataClient(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MarketDataClientOptions>().BindConfiguration(MarketDataClientOptions.SectionName);

        // gRPC retries UNAVAILABLE itself; the HTTP resilience handler that ServiceDefaults puts on every client
        // would retry again and its timeouts would cut StreamQuotes, so these clients opt out of it.
        // They drop HttpClientFactory's loggers too: four Information lines and a scope per call, which say "200" even
        // when the call failed (a gRPC status travels in the trailers). Grpc.Net.Client logs failed calls itself,
        // and the OpenTelemetry traces and metrics of every call stay.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented opt-out, still marked experimental.
        services.AddGrpcClient<MarketDataService.MarketDataServiceClient>(options => options.Address = Address)
            .ConfigureChannel((provider, channel) =>
                channel.ServiceConfig = RetryOnUnavailable(provider.GetRequiredService<IOptions<MarketDataClientOptions>>().Value))
            .AddInterceptor(provider => new DefaultDeadlineInterceptor(
                provider.GetRequiredService<IOptions<MarketDataClientOptions>>().Value.Deadline, provider.GetRequiredService<TimeProvider>()))
            .RemoveAllResilienceHandlers()
            .RemoveAllLoggers();
        services.AddGrpcClient<Health.HealthClient>(options => options.Address = Address)
            .RemoveAllResilienceHandlers()
            .RemoveAllLoggers();
#pragma warning restore EXTEXP0001

        services.AddSingleton<IMarketDataSource, GrpcMarketDataSource>();
        services.AddHealthChecks().AddCheck<MarketDataHealthCheck>(HealthCheckName, timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>The clients' gRPC retry policy: UNAVAILABLE is retried with exponential backoff, up to <see cref="MarketDataClientOptions.MaxAttempts"/>.</summary>
    public static ServiceConfig RetryOnUnavailable(MarketDataClientOptions options) => new()
    {
        MethodConfigs =
        {
            new MethodConfig
            {
                Names = { MethodName.Default },
                RetryPolicy = new RetryPolicy
                {
                    MaxAttempts = options.MaxAttempts,
                    InitialBackoff = TimeSpan.FromMilliseconds(100),
                    MaxBackoff = TimeSpan.FromSeconds(2),
                    BackoffMultiplier = 2,
                    RetryableStatusCodes = { StatusCode.Unavailable },
                },
            },
        },
    };
}
