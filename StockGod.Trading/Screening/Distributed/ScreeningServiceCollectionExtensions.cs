using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace StockGod.Trading.Screening.Distributed;

public static class ScreeningServiceCollectionExtensions
{
    /// <summary>
    /// Screening runs over the trading database: starting them (Api, Scheduler), the work queue and the chunk worker
    /// step (Scheduler; it needs an <see cref="IMarketDataSource"/>). Configuration: the <c>Screening</c> section.
    /// </summary>
    public static IHostApplicationBuilder AddScreeningRuns(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ScreeningOptions>().BindConfiguration(ScreeningOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ScreeningReferenceData>();
        services.TryAddSingleton<ScreeningWorkSignal>();
        services.TryAddSingleton<ScreeningChunkProcessor>();
        services.TryAddScoped<ScreeningRunService>();
        services.TryAddScoped<ScreeningWorkQueue>();
        return builder;
    }
}
