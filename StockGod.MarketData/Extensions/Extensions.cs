using System.Net;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Providers.Alpaca;
using StockGod.MarketData.Providers.Replay;
using StockGod.MarketData.Providers.Simulation;
using StockGod.MarketData.Services;
using StockGod.MarketData.Streaming;
using StockGod.Trading.Brokerage.Alpaca;

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
        // The in-process tier: HybridCache's memory level (over this IMemoryCache), with Redis left to RedisCacheTier.
        services.AddMemoryCache();
        services.AddOptions<MemoryCacheOptions>().Configure<IOptions<MarketDataCacheOptions>>(
            (memory, cache) => memory.SizeLimit = cache.Value.MemorySizeLimit);
        services.AddHybridCache();
        services.AddSingleton<MarketDataCache>();
        services.AddSingleton<QuoteBroadcaster>();
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

    /// <summary>The typed HttpClient of Alpaca's data API, with the keys as headers and the request budget in front of it.</summary>
    private static void AddAlpacaMarketData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlpacaDataOptions>().BindConfiguration(AlpacaDataOptions.SectionName);
        // The trading client's rate budget and 429 handling, with the data API's own limits: one wait-out of a 429.
        services.AddSingleton(sp => new AlpacaRateBudget(DataRateLimits(sp), sp.GetRequiredService<TimeProvider>()));
        var http = services.AddHttpClient<IMarketDataProvider, AlpacaMarketDataProvider>((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<AlpacaDataOptions>>().Value;
                if (string.IsNullOrWhiteSpace(options.KeyId) || string.IsNullOrWhiteSpace(options.SecretKey))
                {
                    throw new InvalidOperationException("MarketData:Provider is Alpaca but Alpaca:Data:KeyId or Alpaca:Data:SecretKey is not configured.");
                }

                client.BaseAddress = options.BaseUrl;
                client.DefaultRequestHeaders.Add(AlpacaBrokerageExtensions.KeyIdHeader, options.KeyId);
                client.DefaultRequestHeaders.Add(AlpacaBrokerageExtensions.SecretKeyHeader, options.SecretKey);
            })
            // The default HTTP logging hands the key headers to structured loggers: log method, path, status only.
            .RemoveAllLoggers()
            .AddLogger(sp => new AlpacaHttpLogger(sp.GetRequiredService<ILogger<AlpacaHttpLogger>>()), wrapHandlersPipeline: false);
        // Handlers, outermost first: the request budget, which waits out a 429 until Alpaca's X-RateLimit-Reset, then
        // the standard resilience handler (timeouts, retries, circuit breaker; Alpaca:Data:Resilience) with 429 left
        // out of its retries: its back-off knows nothing of the reset and would spend the budget again too early.
        // The service-wide standard handler is removed so that this order is the one that applies.
#pragma warning disable EXTEXP0001 // Experimental, but the only way to drop the handler ConfigureHttpClientDefaults added.
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddHttpMessageHandler(sp => new AlpacaRateLimitHandler(
            sp.GetRequiredService<AlpacaRateBudget>(),
            DataRateLimits(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AlpacaRateLimitHandler>>()));
        var resilience = builder.Configuration.GetSection($"{AlpacaDataOptions.SectionName}:Resilience");
        http.AddStandardResilienceHandler(options =>
        {
            resilience.Bind(options);
            options.Retry.ShouldHandle = arguments => ValueTask.FromResult(
                HttpClientResiliencePredicates.IsTransient(arguments.Outcome)
                && arguments.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests);
        });
    }

    private static AlpacaAccountOptions DataRateLimits(IServiceProvider sp) => new()
    {
        RequestsPerWindow = sp.GetRequiredService<IOptions<AlpacaDataOptions>>().Value.RequestsPerMinute,
        RateLimitWindow = TimeSpan.FromMinutes(1),
        RateLimitRetries = 1,
        MaxRateLimitWait = TimeSpan.FromSeconds(30),
    };

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
            case MarketDataProviderKind.Alpaca:
                builder.AddAlpacaMarketData();
                break;
            default:
                throw new InvalidOperationException($"MarketData:Provider '{kind}' is not supported.");
        }
    }
}
