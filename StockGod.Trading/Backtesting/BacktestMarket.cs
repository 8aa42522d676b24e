using System.Collections.Immutable;

namespace StockGod.Trading.Backtesting;

/// <summary>
/// Daily bars laid out for a fast simulation: the sorted trading days of a universe over a date range, and for each
/// symbol (in ordinal order) its bars in that range with the index of each bar's day. Built once, read by any number
/// of runs; the hot loop walks arrays and never looks anything up by date or name.
/// </summary>
public sealed class BacktestMarket
{
    private BacktestMarket(DateOnly[] days, string[] symbols, Bar[][] bars, int[][] dayIndexes, IReadOnlyList<string> missing)
    {
        Days = days;
        Symbols = symbols;
        Bars = bars;
        DayIndexes = dayIndexes;
        MissingSymbols = missing;
    }

    /// <summary>Every date on which at least one symbol of the universe has a bar, ascending.</summary>
    public IReadOnlyList<DateOnly> Days { get; }

    /// <summary>Symbols with at least one bar in the range, ordinal order.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>Requested symbols without any bar in the range.</summary>
    public IReadOnlyList<string> MissingSymbols { get; }

    internal Bar[][] Bars { get; }

    /// <summary><c>DayIndexes[s][i]</c> is the index in <see cref="Days"/> of <c>Bars[s][i]</c>.</summary>
    internal int[][] DayIndexes { get; }

    public long BarCount
    {
        get
        {
            long count = 0;
            foreach (var bars in Bars)
            {
                count += bars.Length;
            }

            return count;
        }
    }

    public static BacktestMarket Create(IReadOnlyDictionary<string, ImmutableArray<Bar>> barsBySymbol, IEnumerable<string> universe, DateOnly start, DateOnly end)
    {
        ArgumentNullException.ThrowIfNull(barsBySymbol);
        ArgumentNullException.ThrowIfNull(universe);

        var symbols = new List<string>();
        var inRange = new List<(Bar[] Bars, DateOnly[] Dates)>();
        var missing = new List<string>();
        var days = new HashSet<DateOnly>();
        var from = NewYorkTime.StartOfDay(start);
        var until = NewYorkTime.StartOfDay(end.AddDays(1));
        foreach (var symbol in universe.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var all = barsBySymbol.TryGetValue(symbol, out var found) && !found.IsDefault ? found.AsSpan() : [];
            var first = BarRange.FirstAtOrAfter(all, from);
            var bars = all[first..Math.Max(first, BarRange.FirstAtOrAfter(all, until))].ToArray();
            if (bars.Length == 0)
            {
                missing.Add(symbol);
                continue;
            }

            var dates = new DateOnly[bars.Length];
            for (var i = 0; i < bars.Length; i++)
            {
                dates[i] = NewYorkTime.DateOf(bars[i].Timestamp);
                days.Add(dates[i]);
            }

            symbols.Add(symbol);
            inRange.Add((bars, dates));
        }

        var dayArray = days.Order().ToArray();
        var dayIndexes = inRange.Select(s => Array.ConvertAll(s.Dates, d => Array.BinarySearch(dayArray, d))).ToArray();
        return new BacktestMarket(dayArray, [.. symbols], [.. inRange.Select(s => s.Bars)], dayIndexes, missing);
    }
}

/// <summary>Binary search over bars in time order.</summary>
internal static class BarRange
{
    /// <summary>The index of the first bar stamped at or after <paramref name="instant"/> (the length when none is).</summary>
    public static int FirstAtOrAfter(ReadOnlySpan<Bar> bars, DateTimeOffset instant)
    {
        int low = 0, high = bars.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (bars[middle].Timestamp < instant)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
