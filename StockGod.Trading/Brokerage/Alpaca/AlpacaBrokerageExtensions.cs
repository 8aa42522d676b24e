using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using StockGod.Trading.Brokerage.Alpaca;

namespace Microsoft.Extensions.Hosting;

public static class AlpacaBrokerageExtensions
{
    public const string KeyIdHeader = "APCA-API-KEY-ID";
    public const string SecretKeyHeader = "APCA-API-SECRET-KEY";

    /// <summary>
    /// Registers an Alpaca gateway (keyed <see cref="IBrokerageGateway"/> by <see cref="TradingMode"/>) for each of
    /// <c>Alpaca:Paper</c> and <c>Alpaca:Live</c> that has keys, and <see cref="AlpacaBrokerageAccounts"/> saying which.
    /// </summary>
    public static IHostApplicationBuilder AddAlpacaBrokerage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        var configured = new List<TradingMode>();
        foreach (var mode in (TradingMode[])[TradingMode.Paper, TradingMode.Live])
        {
            var name = AlpacaAccountOptions.NameOf(mode);
            var section = builder.Configuration.GetSection($"{AlpacaAccountOptions.SectionName}:{name}");
            if (section.Get<AlpacaAccountOptions>() is not { IsConfigured: true })
            {
                continue;
            }

            configured.Add(mode);
            services.Configure<AlpacaAccountOptions>(name, section);
            services.AddKeyedSingleton(mode, (provider, _) => new AlpacaRateBudget(OptionsOf(provider, mode), provider.GetRequiredService<TimeProvider>()));
            AddTradingHttpClient(services, mode);
            services.AddKeyedTransient<IBrokerageGateway>(mode, (provider, _) => new AlpacaBrokerageGateway(
                mode,
                new AlpacaTradingClient(
                    provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName(mode)),
                    provider.GetRequiredService<TimeProvider>()),
                OptionsOf(provider, mode),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<AlpacaBrokerageGateway>>()));
        }

        services.AddSingleton(provider => new AlpacaBrokerageAccounts(provider, configured));
        return builder;
    }

    internal static string HttpClientName(TradingMode mode) => $"Alpaca.{AlpacaAccountOptions.NameOf(mode)}";

    private static AlpacaAccountOptions OptionsOf(IServiceProvider provider, TradingMode mode) =>
        provider.GetRequiredService<IOptionsMonitor<AlpacaAccountOptions>>().Get(AlpacaAccountOptions.NameOf(mode));

    // Handlers, outermost first: read retries -> account rate budget and 429 back-off -> per-attempt timeout.
    // The service-wide standard resilience handler is removed: it would retry POST /v2/orders blindly and its
    // timeouts would count time spent waiting for the rate budget.
    private static void AddTradingHttpClient(IServiceCollection services, TradingMode mode)
    {
        var http = services.AddHttpClient(HttpClientName(mode), (provider, client) =>
        {
            var options = OptionsOf(provider, mode);
            client.BaseAddress = options.ResolveBaseUrl(mode);
            client.DefaultRequestHeaders.Add(KeyIdHeader, options.KeyId);
            client.DefaultRequestHeaders.Add(SecretKeyHeader, options.SecretKey);
            client.DefaultRequestHeaders.Accept.Add(new("application/json"));
            client.Timeout = Timeout.InfiniteTimeSpan; // the attempt timeout below applies
        });
        http.RemoveAllLoggers().AddLogger(provider => new AlpacaHttpLogger(provider.GetRequiredService<ILogger<AlpacaHttpLogger>>()), wrapHandlersPipeline: false); // every attempt
#pragma warning disable EXTEXP0001 // Experimental, but the only way to drop the handler ConfigureHttpClientDefaults added.
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddResilienceHandler("alpaca-read-retry", (pipeline, context) =>
        {
            var options = OptionsOf(context.ServiceProvider, mode);
            if (options.ReadRetries > 0)
            {
                pipeline.AddRetry(ReadRetry(options));
            }
        });
        http.AddHttpMessageHandler(provider => new AlpacaRateLimitHandler(
            provider.GetRequiredKeyedService<AlpacaRateBudget>(mode),
            OptionsOf(provider, mode),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<AlpacaRateLimitHandler>>()));
        http.AddResilienceHandler("alpaca-attempt-timeout", (pipeline, context) =>
            pipeline.AddTimeout(OptionsOf(context.ServiceProvider, mode).RequestTimeout));
    }

    private static HttpRetryStrategyOptions ReadRetry(AlpacaAccountOptions options)
    {
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.ReadRetries,
            Delay = options.ReadRetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            // 429 is not here: the rate-limit handler waits for Alpaca's reset instead.
            ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome switch
            {
                { Exception: HttpRequestException or TimeoutRejectedException } => true,
                { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError,
                _ => false,
            }),
        };
        retry.DisableForUnsafeHttpMethods();
        return retry;
    }
}
