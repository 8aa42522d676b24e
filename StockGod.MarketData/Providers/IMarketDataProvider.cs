namespace StockGod.MarketData.Providers;

/// <summary>
/// Where prices come from: a synthetic market, a replay of real history or Alpaca. Answers are keyed by symbol;
/// a symbol the provider does not know is left out. A provider that cannot answer at all throws
/// <see cref="MarketDataUnavailableException"/>.
/// </summary>
public interface IMarketDataProvider
{
    /// <summary>Short name put on every value as its source: synthetic, replay or alpaca.</summary>
    string Name { get; }

    /// <summary>Every symbol the provider knows, in ordinal order; empty when it cannot enumerate them.</summary>
    IReadOnlyList<string> Symbols { get; }

    Task<IReadOnlyDictionary<string, Quote>> GetLatestQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, MarketSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken);

    /// <summary>Finished bars whose start lies in [start, end), oldest first; a known symbol without bars maps to an empty list.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols,
        BarTimeframe timeframe,
        DateTimeOffset start,
        DateTimeOffset end,
        CancellationToken cancellationToken);
}

/// <summary>The last trade of a symbol.</summary>
public readonly record struct LastTrade(decimal Price, long Size, DateTimeOffset Timestamp);

/// <summary>What a symbol looks like now; any part may be missing (e.g. before its first session).</summary>
public sealed record MarketSnapshot(
    string Symbol,
    LastTrade? LatestTrade,
    Quote? LatestQuote,
    Bar? MinuteBar,
    Bar? DailyBar,
    Bar? PrevDailyBar);

/// <summary>The upstream source cannot answer (network, outage, rate limit exhausted, bad credentials).</summary>
public sealed class MarketDataUnavailableException : Exception
{
    public MarketDataUnavailableException()
    {
    }

    public MarketDataUnavailableException(string message)
        : base(message)
    {
    }

    public MarketDataUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
