namespace StockGod.Trading.Market;

/// <summary>The latest quote of a symbol. <see cref="Stale"/> is set when the value was served from a cache after its source failed.</summary>
public sealed record Quote(
    string Symbol,
    decimal BidPrice,
    long BidSize,
    decimal AskPrice,
    long AskSize,
    decimal LastPrice,
    DateTimeOffset Timestamp,
    string Source,
    bool Stale = false)
{
    public decimal MidPrice => (BidPrice + AskPrice) / 2m;
}
