extern alias MarketDataServer;
using System.Diagnostics.Metrics;
using MarketDataServer::StockGod.MarketData.Caching;
using MarketDataServer::StockGod.MarketData.Streaming;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StockGod.MarketData.Tests.Support;
using StockGod.MarketData.V1;
using StockGod.Testing;
using StockGod.Testing.MarketData;

namespace StockGod.MarketData.Tests;

/// <summary>StreamQuotes as a shared fan-out: one poll per tick for all streams, slow readers isolated, cleanup on cancel.</summary>
public sealed class StreamingTests
{
    private static readonly string[] Symbols = ["AAPL", "MSFT", "BA", "CAT", "DIS"];
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_streams_of_the_same_symbols_share_one_cache_poll_and_at_most_one_provider_call_per_tick_and_stop_when_cancelled()
    {
        const int streams = 8;
        await using var host = await StartAsync();
        var broadcaster = host.Service<QuoteBroadcaster>();
        var calls = Enumerable.Range(0, streams).Select(_ => host.Client.StreamQuotes(new StreamQuotesRequest { Symbols = { Symbols } }, cancellationToken: Ct)).ToList();
        try
        {
            foreach (var call in calls)
            {
                for (var i = 0; i < Symbols.Length; i++)
                {
                    Assert.True(await call.ResponseStream.MoveNext(Ct));
                }
            }

            using var lookups = new MetricCollector<long>(host.Service<IMeterFactory>(), MarketDataMetrics.MeterName, "stockgod.marketdata.cache.hits");
            using var lookupMisses = new MetricCollector<long>(host.Service<IMeterFactory>(), MarketDataMetrics.MeterName, "stockgod.marketdata.cache.misses");
            var providerCallsBefore = host.Provider.QuoteCalls;
            var next = calls.Select(c => c.ResponseStream.MoveNext(Ct)).ToList();
            var ticks = 0;
            // Each advance of the clock releases at most one tick; advance until every stream has seen prices move.
            while (!next.All(n => n.IsCompleted))
            {
                host.Time.Advance(Tick);
                ticks++;
                await Task.WhenAny(Task.WhenAll(next), Task.Delay(100, Ct));
            }

            Assert.All(next, n => Assert.True(n.Result));
            var providerCalls = host.Provider.QuoteCalls - providerCallsBefore;
            var l1Lookups = L1(lookups) + L1(lookupMisses);
            // The TTL is shorter than the tick, so every tick goes upstream: once for all streams, not once per stream.
            Assert.InRange(providerCalls, 1, ticks);
            Assert.InRange(l1Lookups, Symbols.Length, ticks * Symbols.Length);
            Assert.Equal(Symbols.Length, broadcaster.WatchedSymbolCount);
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }

        for (var attempt = 0; attempt < 150 && broadcaster.WatchedSymbolCount > 0; attempt++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(0, broadcaster.WatchedSymbolCount);
    }

    [Fact]
    public async Task A_subscriber_that_never_reads_neither_stalls_a_fast_one_nor_grows_past_its_buffer_it_keeps_the_newest_quotes()
    {
        const int buffer = 4;
        await using var host = await StartAsync(new() { ["MarketData:StreamBufferPerSubscriber"] = buffer.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var broadcaster = host.Service<QuoteBroadcaster>();
        var first = await host.Service<MarketDataCache>().GetQuotesAsync(["AAPL"], Ct);
        using var slow = broadcaster.Subscribe(first);
        using var fast = broadcaster.Subscribe(first);

        var received = new List<CachedValue<Trading.Market.Quote>>();
        while (received.Count < 3 * buffer)
        {
            received.Add(await host.Time.DriveUntilAsync(fast.Quotes.ReadAsync(Ct).AsTask(), Tick, Ct));
        }

        Assert.Equal(received.Count, received.Select(q => q.Value).Distinct().Count());
        var kept = new List<CachedValue<Trading.Market.Quote>>();
        while (slow.Quotes.TryRead(out var quote))
        {
            kept.Add(quote);
        }

        Assert.Equal(received[^buffer..], kept);
    }

    private static async Task<MarketDataTestHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["MarketData:StreamInterval"] = Tick.ToString(),
            ["MarketData:Cache:QuoteTtlWhenOpen"] = "00:00:30",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(), settings: all);
    }

    private static long L1(MetricCollector<long> collector) => collector.GetMeasurementSnapshot()
        .Where(m => Equals(m.Tags["tier"], "l1") && Equals(m.Tags["kind"], "quote"))
        .Sum(m => m.Value);
}
