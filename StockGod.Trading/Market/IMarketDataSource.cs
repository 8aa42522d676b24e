namespace StockGod.Trading.Market;

/// <summary>
/// The seam through which trading code reads prices (Lean's data provider). Api and Scheduler implement it over
/// MarketData's gRPC client; backtests implement it over history. Unknown symbols are left out of the answers,
/// never guessed.
/// </summary>
public interface IMarketDataSource
{
    Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default);

    /// <summary>Bars per symbol, oldest first, within [start, end).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols,
        BarTimeframe timeframe,
        DateTimeOffset start,
        DateTimeOffset end,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Every symbol the source can price, in ordinal order; empty when the source cannot enumerate its universe
    /// (a history of a few symbols in a test, or Alpaca, whose asset list lives on the trading API).
    /// </summary>
    Task<IReadOnlyList<string>> ListSymbolsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
