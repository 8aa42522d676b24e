using System.Collections.Frozen;

namespace StockGod.Trading.Strategies;

/// <summary>
/// Everything a strategy may look at, as of one instant: the universe, each symbol's COMPLETED bars (oldest first)
/// and the current holdings. Built only through <see cref="Create"/>, which drops every bar not complete at
/// <see cref="AsOf"/>, so no strategy can peek at a bar still forming (or from the future), live or in a backtest.
/// </summary>
public sealed class StrategyContext
{
    private static readonly IReadOnlyList<Bar> NoBars = [];

    private readonly FrozenDictionary<string, IReadOnlyList<Bar>> _bars;
    private readonly FrozenDictionary<string, Holding> _holdings;

    private StrategyContext(DateTimeOffset asOf, IReadOnlyList<string> universe, FrozenDictionary<string, IReadOnlyList<Bar>> bars, FrozenDictionary<string, Holding> holdings)
    {
        AsOf = asOf;
        Universe = universe;
        _bars = bars;
        _holdings = holdings;
    }

    public DateTimeOffset AsOf { get; }

    public IReadOnlyList<string> Universe { get; }

    /// <summary>Completed bars of a symbol, oldest first (empty when there are none).</summary>
    public IReadOnlyList<Bar> BarsOf(string symbol) => _bars.GetValueOrDefault(symbol, NoBars);

    public Holding HoldingOf(string symbol) => _holdings.GetValueOrDefault(symbol);

    public bool Holds(string symbol) => HoldingOf(symbol).Quantity > 0m;

    /// <summary>
    /// Builds a context. Daily bars are complete at their session's close by <paramref name="calendar"/> (13:00 on an
    /// early close); intraday bars at their start plus their length. Bars must be given oldest first.
    /// </summary>
    public static StrategyContext Create(
        DateTimeOffset asOf,
        IReadOnlyList<string> universe,
        BarTimeframe timeframe,
        IReadOnlyDictionary<string, IReadOnlyList<Bar>> bars,
        IReadOnlyDictionary<string, Holding> holdings,
        IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(universe);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(calendar);

        var completed = new Dictionary<string, IReadOnlyList<Bar>>(StringComparer.Ordinal);
        foreach (var symbol in universe)
        {
            if (!bars.TryGetValue(symbol, out var series))
            {
                continue;
            }

            // Bars are in time order, so the complete ones are a prefix: find where it ends.
            var count = series.Count;
            while (count > 0 && CompletesAt(series[count - 1], timeframe, calendar) > asOf)
            {
                count--;
            }

            completed[symbol] = count == series.Count ? series : series.Take(count).ToArray();
        }

        return new StrategyContext(
            asOf,
            [.. universe.Distinct(StringComparer.Ordinal)],
            completed.ToFrozenDictionary(StringComparer.Ordinal),
            holdings.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The instant a bar is final.</summary>
    public static DateTimeOffset CompletesAt(Bar bar, BarTimeframe timeframe, IMarketCalendar calendar) => timeframe switch
    {
        BarTimeframe.Minute1 => bar.Timestamp.AddMinutes(1),
        BarTimeframe.Minute5 => bar.Timestamp.AddMinutes(5),
        BarTimeframe.Minute15 => bar.Timestamp.AddMinutes(15),
        BarTimeframe.Hour1 => bar.Timestamp.AddHours(1),
        _ => calendar.SessionFor(NewYorkTime.DateOf(bar.Timestamp))?.Close ?? NewYorkTime.StartOfDay(NewYorkTime.DateOf(bar.Timestamp).AddDays(1)),
    };
}
