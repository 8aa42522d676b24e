using Google.Protobuf.WellKnownTypes;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Services;

/// <summary>Domain values to wire messages.</summary>
internal static class ProtoMapping
{
    public static V1.Quote ToProto(this Quote quote, DateTimeOffset fetchedAt, bool stale, DateTimeOffset now) => new()
    {
        Symbol = quote.Symbol,
        BidPrice = quote.BidPrice,
        BidSize = quote.BidSize,
        AskPrice = quote.AskPrice,
        AskSize = quote.AskSize,
        LastPrice = quote.LastPrice,
        Timestamp = Timestamp.FromDateTimeOffset(quote.Timestamp),
        Source = quote.Source,
        Stale = stale,
        Age = Duration.FromTimeSpan(Age(fetchedAt, now)),
    };

    public static V1.Quote ToProto(this CachedValue<Quote> cached, DateTimeOffset now) =>
        cached.Value!.ToProto(cached.FetchedAt, cached.Stale, now);

    public static V1.Bar ToProto(this Bar bar) => new()
    {
        Timestamp = Timestamp.FromDateTimeOffset(bar.Timestamp),
        Open = bar.Open,
        High = bar.High,
        Low = bar.Low,
        Close = bar.Close,
        Volume = bar.Volume,
        Vwap = bar.Vwap,
        TradeCount = bar.TradeCount,
    };

    public static V1.Snapshot ToProto(this CachedValue<MarketSnapshot> cached, string source, DateTimeOffset now)
    {
        var snapshot = cached.Value!;
        var message = new V1.Snapshot
        {
            Symbol = snapshot.Symbol,
            Source = source,
            Stale = cached.Stale,
            Age = Duration.FromTimeSpan(Age(cached.FetchedAt, now)),
            LatestQuote = snapshot.LatestQuote?.ToProto(cached.FetchedAt, cached.Stale, now),
            MinuteBar = snapshot.MinuteBar?.ToProto(),
            DailyBar = snapshot.DailyBar?.ToProto(),
            PrevDailyBar = snapshot.PrevDailyBar?.ToProto(),
        };
        if (snapshot.LatestTrade is { } trade)
        {
            message.LatestTrade = new V1.Trade { Price = trade.Price, Size = trade.Size, Timestamp = Timestamp.FromDateTimeOffset(trade.Timestamp) };
        }

        return message;
    }

    private static TimeSpan Age(DateTimeOffset fetchedAt, DateTimeOffset now) => now > fetchedAt ? now - fetchedAt : TimeSpan.Zero;
}
