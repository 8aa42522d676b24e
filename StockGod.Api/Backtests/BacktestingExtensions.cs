using Microsoft.Extensions.DependencyInjection.Extensions;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Calendar;
using StockGod.Trading.Strategies;

namespace StockGod.Api.Backtests;

internal static class BacktestingExtensions
{
    /// <summary>The asynchronous backtest runner of this replica. Needs the trading database and an IMarketDataSource.</summary>
    public static void AddBacktesting(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<BacktestRunnerOptions>(builder.Configuration.GetSection(BacktestRunnerOptions.SectionName));
        services.TryAddSingleton<IMarketCalendar>(NyseCalendar.Instance);
        services.TryAddSingleton(StrategyRegistry.Default);
        services.TryAddSingleton(sp => new BacktestEngine(sp.GetRequiredService<StrategyRegistry>(), sp.GetRequiredService<IMarketCalendar>()));
        services.TryAddSingleton<BacktestQueueSignal>();
        services.TryAddSingleton<BacktestLeases>();
        services.AddHostedService<BacktestRunner>();
    }
}
