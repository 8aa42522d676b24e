using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Services;

/// <summary>Domain values to wire messages.</summary>
internal static class ProtoMapping
{
    /// <summary>
    /// The per-call-invariant wire form of each quote the cache holds, keyed by the (immutable) quote instance, so a
    /// warm call converts no decimals and timestamps: it only sets <c>stale</c> and <c>age</c>. Entries go with their
    /// quote when the cache drops it.
    /// </summary>
    private static readonly ConditionalWeakTable<Quote, WireQuote> WireQuotes = new();

    public static V1.Quote ToProto(this Quote quote, DateTimeOffset fetchedAt, bool stale, DateTimeOffset now)
    {
        var wire = WireOf(quote).Message;

        // The sub-messages are shared, not cloned: responses are only serialized, never modified, so sharing is safe.
        return new V1.Quote
        {
            Symbol = wire.Symbol,
            BidPrice = wire.BidPrice,
            BidSize = wire.BidSize,
            AskPrice = wire.AskPrice,
            AskSize = wire.AskSize,
            LastPrice = wire.LastPrice,
            Timestamp = wire.Timestamp,
            Source = wire.Source,
            Stale = stale,
            Age = Duration.FromTimeSpan(Age(fetchedAt, now)),
        };
    }

    /// <summary>The quote as <see cref="QuotesWireFormat"/> writes it: its prebuilt bytes, <c>stale</c> and <c>age</c> (as <see cref="Duration"/> splits it).</summary>
    public static V1.PrebuiltQuote ToPrebuilt(this CachedValue<Quote> cached, DateTimeOffset now)
    {
        var age = Age(cached.FetchedAt, now);
        return new V1.PrebuiltQuote(
            WireOf(cached.Value!).Bytes,
            cached.Stale,
            age.Ticks / TimeSpan.TicksPerSecond,
            (int)(age.Ticks % TimeSpan.TicksPerSecond) * Duration.NanosecondsPerTick);
    }

    private static WireQuote WireOf(Quote quote) => WireQuotes.GetValue(quote, static q =>
    {
        var message = new V1.Quote
        {
            Symbol = q.Symbol,
            BidPrice = q.BidPrice,
            BidSize = q.BidSize,
            AskPrice = q.AskPrice,
            AskSize = q.AskSize,
            LastPrice = q.LastPrice,
            Timestamp = Timestamp.FromDateTimeOffset(q.Timestamp),
            Source = q.Source,
        };
        return new WireQuote(message, QuotesWireFormat.InvariantBytes(message));
    });

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

    private sealed record WireQuote(V1.Quote Message, byte[] Bytes);

    private static TimeSpan Age(DateTimeOffset fetchedAt, DateTimeOffset now) => now > fetchedAt ? now - fetchedAt : TimeSpan.Zero;
}
