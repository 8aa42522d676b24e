using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;
using StockGod.MarketData.Providers.Replay;
using StockGod.MarketData.Providers.Simulation;
using StockGod.MarketData.Services;

namespace StockGod.MarketData.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Fail fast while Redis is down instead of queueing commands: the cache steps around it.
        builder.AddRedisClient(
            "redis",
            settings => settings.DisableHealthChecks = true,
            options => options.BacklogPolicy = BacklogPolicy.FailFast);
        builder.Services.AddHealthChecks()
            .AddCheck<RedisCacheHealthCheck>(RedisCacheHealthCheck.Name, HealthStatus.Degraded, timeout: TimeSpan.FromSeconds(5));

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMarketCalendar>(NyseCalendar.Instance);
        services.AddOptions<MarketDataOptions>().BindConfiguration(MarketDataOptions.SectionName);
        services.AddOptions<MarketDataCacheOptions>().BindConfiguration(MarketDataCacheOptions.SectionName);
        services.AddSingleton<MarketDataMetrics>();
        services.AddSingleton<RedisCacheTier>();
        services.AddSingleton<MarketDataCache>();
        builder.AddMarketDataProvider();

        services.AddGrpc(options => options.Interceptors.Add<UnavailableInterceptor>()).AddJsonTranscoding();
        services.AddGrpcHealthChecks();
        if (builder.Environment.IsDevelopment())
        {
            services.AddGrpcReflection();
        }
    }

    public static void MapMarketDataApi(this WebApplication app)
    {
        app.MapGrpcService<MarketDataGrpcService>();
        app.MapGrpcHealthChecksService();
        if (app.Environment.IsDevelopment())
        {
            app.MapGrpcReflectionService();
        }
    }

    /// <summary>The provider named by <c>MarketData:Provider</c>: Synthetic (default), Replay or Alpaca.</summary>
    private static void AddMarketDataProvider(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var kind = builder.Configuration.GetValue($"{MarketDataOptions.SectionName}:Provider", MarketDataProviderKind.Synthetic);
        switch (kind)
        {
            case MarketDataProviderKind.Synthetic:
                services.AddOptions<SyntheticMarketOptions>().BindConfiguration(SyntheticMarketOptions.SectionName);
                services.AddSingleton<IDailyHistory, SyntheticDailyHistory>();
                services.AddSingleton<IMarketDataProvider, SimulatedMarketProvider>();
                break;
            case MarketDataProviderKind.Replay:
                services.AddOptions<ReplayOptions>().BindConfiguration(ReplayOptions.SectionName);
                services.AddSingleton<IDailyHistory, ReplayDailyHistory>();
                services.AddSingleton<IMarketDataProvider, SimulatedMarketProvider>();
                break;
            default:
                throw new InvalidOperationException($"MarketData:Provider '{kind}' is not supported.");
        }
    }
}
