using System.Collections.Immutable;
using StockGod.Trading.Market;

namespace StockGod.Testing.Screening;

/// <summary>
/// <see cref="IMarketDataSource"/> over daily bars held in memory (the real S&amp;P 500 file), answering as MarketData
/// does: bars within [start, end), unknown symbols left out. <see cref="FailWhen"/> injects a provider failure.
/// </summary>
public sealed class HistoricalMarketData(IReadOnlyDictionary<string, ImmutableArray<Bar>> barsBySymbol) : IMarketDataSource
{
    private int _barRequests;

    /// <summary>Called with the symbols of every bar request; an exception it returns is thrown instead of answering.</summary>
    public Func<IReadOnlyCollection<string>, Exception?>? FailWhen { get; set; }

    public int BarRequests => Volatile.Read(ref _barRequests);

    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, Quote>>(new Dictionary<string, Quote>());

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _barRequests);
        if (FailWhen?.Invoke(symbols) is { } failure)
        {
            throw failure;
        }

        if (timeframe != BarTimeframe.Day1)
        {
            throw new NotSupportedException("Only daily bars are held.");
        }

        var answer = new Dictionary<string, IReadOnlyList<Bar>>(StringComparer.OrdinalIgnoreCase);
        foreach (var symbol in symbols)
        {
            if (barsBySymbol.TryGetValue(symbol, out var bars))
            {
                var window = bars.Where(b => b.Timestamp >= start && b.Timestamp < end).ToList();
                if (window.Count > 0)
                {
                    answer[symbol] = window;
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<Bar>>>(answer);
    }
}
