using StockGod.Trading.Calendar;
using StockGod.Trading.Market;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Tests.Strategies;

/// <summary>Daily bars on consecutive NYSE trading days, and contexts over them.</summary>
internal static class StrategyTestBars
{
    public static Bar[] Daily(DateOnly firstDay, params decimal[] closes)
    {
        var days = NyseCalendar.Instance.TradingDays(firstDay, firstDay.AddYears(2)).Take(closes.Length).ToList();
        return [.. closes.Select((close, i) => new Bar(NewYorkTime.StartOfDay(days[i].Date), close, close, close, close, 1_000))];
    }

    /// <summary>A context as of the close of the last bar of every series.</summary>
    public static StrategyContext AfterLastClose(Dictionary<string, Bar[]> bars, Dictionary<string, Holding>? holdings = null)
    {
        var asOf = bars.Values.Max(b => StrategyContext.CompletesAt(b[^1], BarTimeframe.Day1, NyseCalendar.Instance));
        return StrategyContext.Create(
            asOf,
            [.. bars.Keys],
            BarTimeframe.Day1,
            bars.ToDictionary(b => b.Key, b => (IReadOnlyList<Bar>)b.Value),
            holdings ?? [],
            NyseCalendar.Instance);
    }
}
