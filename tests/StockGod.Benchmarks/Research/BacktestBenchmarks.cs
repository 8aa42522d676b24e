using BenchmarkDotNet.Attributes;
using StockGod.Testing;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Market;
using StockGod.Trading.Strategies;

namespace StockGod.Benchmarks.Research;

/// <summary>
/// An SMA(10/30) crossover backtest of the whole real universe (505 symbols, 1,259 days, 619,040 bars), equal-weight
/// benchmark and statistics included. "Whole run" also aligns the bars (what a request pays after loading);
/// bars per second = 619,040 / mean time.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class BacktestBenchmarks
{
    private DailyBarHistory _history = null!;
    private BacktestSettings _settings = null!;
    private BacktestMarket _market = null!;

    [GlobalSetup]
    public void LoadRealData()
    {
        _history = DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile));
        _settings = new BacktestSettings
        {
            StrategyType = SmaCrossoverStrategy.Name,
            Universe = [.. _history.BarsBySymbol.Keys],
            Start = new DateOnly(2013, 1, 1),
            End = new DateOnly(2018, 12, 31),
            SlippageBps = 5m,
        };
        _market = BacktestMarket.Create(_history.BarsBySymbol, _settings.Universe, _settings.Start, _settings.End);
    }

    [Benchmark(Description = "SMA crossover, whole universe, prepared market")]
    public decimal PreparedMarket() => new BacktestEngine().Run(_settings, _market).Strategy.Statistics.FinalEquity;

    [Benchmark(Description = "SMA crossover, whole universe, aligning bars included")]
    public decimal WholeRun() => new BacktestEngine().Run(_settings, _history.BarsBySymbol).Strategy.Statistics.FinalEquity;
}
