using StockGod.Testing;
using StockGod.Trading.Market;

namespace StockGod.Trading.Tests.Backtesting;

/// <summary>The real S&amp;P 500 daily file, loaded once per test process for the research tests.</summary>
internal static class RealDailyBars
{
    private static readonly Lazy<DailyBarHistory> History = new(() => DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile)));

    public static DailyBarHistory Load() => History.Value;
}
