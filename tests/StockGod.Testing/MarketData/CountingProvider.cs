extern alias MarketDataServer;
using MarketDataServer::StockGod.MarketData.Providers;
using StockGod.Trading.Market;

namespace StockGod.Testing.MarketData;

/// <summary>The real provider, with its calls counted and a switch that makes it fail like a provider outage.</summary>
public sealed class CountingProvider(IMarketDataProvider inner) : IMarketDataProvider
{
    private int _quoteCalls;
    private int _snapshotCalls;
    private int _barCalls;

    public string Name => inner.Name;

    public IReadOnlyList<string> Symbols => inner.Symbols;

    public bool Failing { get; set; }

    public int QuoteCalls => Volatile.Read(ref _quoteCalls);

    public int SnapshotCalls => Volatile.Read(ref _snapshotCalls);

    public int BarCalls => Volatile.Read(ref _barCalls);

    /// <summary>The symbols of each quote call, in order.</summary>
    public List<IReadOnlyCollection<string>> QuoteRequests { get; } = [];

    public Task<IReadOnlyDictionary<string, Quote>> GetLatestQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _quoteCalls);
        lock (QuoteRequests)
        {
            QuoteRequests.Add([.. symbols]);
        }

        ThrowIfFailing();
        return inner.GetLatestQuotesAsync(symbols, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, MarketSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _snapshotCalls);
        ThrowIfFailing();
        return inner.GetSnapshotsAsync(symbols, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _barCalls);
        ThrowIfFailing();
        return inner.GetBarsAsync(symbols, timeframe, start, end, cancellationToken);
    }

    private void ThrowIfFailing()
    {
        if (Failing)
        {
            throw new MarketDataUnavailableException("The provider is down (test switch).");
        }
    }
}
