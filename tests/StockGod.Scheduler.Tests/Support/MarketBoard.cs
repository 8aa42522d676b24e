using System.Collections.Concurrent;
using StockGod.Trading.Calendar;
using StockGod.Trading.Market;

namespace StockGod.Scheduler.Tests.Support;

/// <summary>
/// Quotes and daily bars set by hand at the market-data seam. <see cref="Job"/> is the view the job reads and counts
/// its calls; <see cref="Exchange"/> is the simulated exchange's view of the same prices (its per-order quote lookups
/// are not the job's batch).
/// </summary>
internal sealed class MarketBoard
{
    private readonly ConcurrentDictionary<string, Quote> _quotes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<Bar>> _bars = new(StringComparer.Ordinal);

    public MarketBoard()
    {
        Job = new CountingView(this);
        Exchange = new View(this);
    }

    public CountingView Job { get; }

    public IMarketDataSource Exchange { get; }

    /// <summary>A quote at <paramref name="last"/> and one daily bar per close, on the NYSE sessions ending the day
    /// before <paramref name="asOf"/>'s date, plus a bar for that date itself (still forming, so no strategy may see it).</summary>
    public void Set(string symbol, DateTimeOffset asOf, decimal last, params decimal[] closes)
    {
        _quotes[symbol] = new Quote(symbol, last - 0.05m, 100, last + 0.05m, 100, last, asOf, "test");
        var today = NewYorkTime.DateOf(asOf);
        var sessions = NyseCalendar.Instance.TradingDays(today.AddDays(-(closes.Length * 2) - 10), today.AddDays(-1))
            .Select(s => s.Date).TakeLast(closes.Length).Append(today).ToList();
        _bars[symbol] = [.. sessions.Select((date, i) =>
        {
            var close = i < closes.Length ? closes[i] : last * 3m; // the forming bar would flip any signal if it were seen
            return new Bar(NewYorkTime.StartOfDay(date), close, close, close, close, 1_000);
        })];
    }

    internal class View(MarketBoard board) : IMarketDataSource
    {
        public virtual Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, Quote>>(
                symbols.Where(board._quotes.ContainsKey).Distinct().ToDictionary(s => s, s => board._quotes[s], StringComparer.Ordinal));

        public virtual Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
            IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default)
        {
            if (timeframe != BarTimeframe.Day1)
            {
                throw new NotSupportedException("The board has daily bars only.");
            }

            return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<Bar>>>(symbols.Where(board._bars.ContainsKey).Distinct().ToDictionary(
                s => s,
                s => (IReadOnlyList<Bar>)[.. board._bars[s].Where(b => b.Timestamp >= start && b.Timestamp < end)],
                StringComparer.Ordinal));
        }
    }

    internal sealed class CountingView(MarketBoard board) : View(board)
    {
        private int _quoteCalls;
        private int _barCalls;

        public int QuoteCalls => _quoteCalls;

        public int BarCalls => _barCalls;

        public ConcurrentBag<string> QuotedSymbols { get; } = [];

        public override Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _quoteCalls);
            foreach (var symbol in symbols)
            {
                QuotedSymbols.Add(symbol);
            }

            return base.GetQuotesAsync(symbols, cancellationToken);
        }

        public override Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
            IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _barCalls);
            return base.GetBarsAsync(symbols, timeframe, start, end, cancellationToken);
        }
    }
}
