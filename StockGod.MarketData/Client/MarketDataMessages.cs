using StockGod.Trading.Market;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Client;

/// <summary>The contract's messages as the domain's types; one mapping for every consumer of the client.</summary>
public static class MarketDataMessages
{
    public static Quote ToQuote(this V1.Quote quote) => new(
        quote.Symbol,
        quote.BidPrice,
        quote.BidSize,
        quote.AskPrice,
        quote.AskSize,
        quote.LastPrice,
        quote.Timestamp.ToDateTimeOffset(),
        quote.Source,
        quote.Stale);

    public static Bar ToBar(this V1.Bar bar) =>
        new(bar.Timestamp.ToDateTimeOffset(), bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.Vwap, (int)bar.TradeCount);
}
