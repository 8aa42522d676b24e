extern alias MarketDataServer;
using System.Diagnostics.Metrics;
using System.Net;
using Grpc.Core;
using MarketDataServer::StockGod.MarketData.Caching;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing.MarketData;
using StockGod.MarketData.V1;
using StockGod.Testing;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace StockGod.MarketData.Tests;

public sealed class CacheTests
{
    private static readonly string[] Dow = ["AAPL", "AMGN", "AMZN", "AXP", "BA", "CAT", "CRM", "CSCO", "CVX", "DIS"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Quotes_are_served_from_cache_until_their_ttl_passes_and_the_ttl_is_longer_while_the_market_is_closed()
    {
        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(), settings: new Dictionary<string, string?>
        {
            ["MarketData:Cache:QuoteTtlWhenOpen"] = "00:00:02",
            ["MarketData:Cache:QuoteTtlWhenClosed"] = "00:01:00",
        });

        var first = await Quotes(host, "AAPL");
        host.Time.Advance(TimeSpan.FromSeconds(1.5));
        var cached = await Quotes(host, "AAPL");
        Assert.Equal(1, host.Provider.QuoteCalls);
        Assert.Equal(TimeSpan.FromSeconds(1.5), cached.Quotes[0].Age.ToTimeSpan());
        // A cache hit is the first answer field for field; only its age moved.
        var expected = first.Quotes[0].Clone();
        expected.Age = cached.Quotes[0].Age;
        Assert.Equal(expected, cached.Quotes[0]);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        await Quotes(host, "AAPL");
        Assert.Equal(2, host.Provider.QuoteCalls);

        // Saturday: closed, so a minute-long TTL.
        host.Time.SetUtcNow(new DateTimeOffset(2026, 3, 14, 15, 0, 0, TimeSpan.Zero));
        await Quotes(host, "AAPL");
        host.Time.Advance(TimeSpan.FromSeconds(50));
        await Quotes(host, "AAPL");
        Assert.Equal(3, host.Provider.QuoteCalls);
        host.Time.Advance(TimeSpan.FromSeconds(11));
        await Quotes(host, "AAPL");
        Assert.Equal(4, host.Provider.QuoteCalls);
    }

    [Fact]
    public async Task A_thousand_concurrent_requests_for_the_same_fifty_symbols_make_exactly_one_upstream_call()
    {
        await using var host = await MarketDataTestHost.StartAsync(
            await TestServers.RedisAsync(),
            settings: Enumerable.Range(0, 50).ToDictionary(i => $"MarketData:Synthetic:Symbols:{i}", i => (string?)$"S{i:D2}"));
        var cache = host.Service<MarketDataCache>();
        string[] symbols = [.. Enumerable.Range(0, 50).Select(i => $"S{i:D2}")];

        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => cache.GetQuotesAsync(symbols, Ct), Ct)));

        Assert.Equal(1, host.Provider.QuoteCalls);
        Assert.All(answers, a => Assert.Equal(50, a.Values.Count(v => v.Found)));
        Assert.All(answers, a => Assert.Equal(answers[0]["S07"].Value, a["S07"].Value));
    }

    [Fact]
    public async Task A_batch_fetches_only_its_missing_symbols_in_one_upstream_call()
    {
        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());

        await Quotes(host, Dow[..4]);
        await Quotes(host, Dow);

        Assert.Equal(2, host.Provider.QuoteCalls);
        Assert.Equal(Dow[4..], host.Provider.QuoteRequests[1].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_replica_sharing_redis_answers_from_redis_without_calling_its_provider()
    {
        var redis = await TestServers.RedisAsync();
        var prefix = $"test:{Guid.NewGuid():N}:";
        await using var first = await MarketDataTestHost.StartAsync(redis, redisKeyPrefix: prefix);
        await using var second = await MarketDataTestHost.StartAsync(redis, redisKeyPrefix: prefix);

        var fromFirst = await Quotes(first, Dow);
        // Writes to Redis are fire-and-forget: wait until they have landed.
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis);
        await Eventually.UntilAsync(
            async () => await connection.GetDatabase().KeyExistsAsync([.. Dow.Select(s => (StackExchange.Redis.RedisKey)$"{prefix}quote:{s}")]) == Dow.Length,
            "the quotes never reached Redis", Ct);
        var fromSecond = await Quotes(second, Dow);

        Assert.Equal(0, second.Provider.QuoteCalls);
        Assert.Equal(fromFirst.Quotes, fromSecond.Quotes, (a, b) => a.Symbol == b.Symbol && (decimal)a.LastPrice == b.LastPrice);
    }

    [Fact]
    public async Task Finished_bars_are_cached_long_and_never_refetched()
    {
        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        var request = new GetBarsRequest
        {
            Symbols = { "AAPL", "MSFT" },
            Timeframe = "1Day",
            Start = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            End = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        };

        var first = await host.Client.GetBarsAsync(request, cancellationToken: Ct);
        host.Time.Advance(TimeSpan.FromDays(2));
        var second = await host.Client.GetBarsAsync(request, cancellationToken: Ct);

        Assert.Equal(1, host.Provider.BarCalls);
        Assert.Equal(first, second);
        Assert.InRange(first.Bars[0].Bars.Count, 245, 255);
    }

    [Fact]
    public async Task When_the_provider_fails_the_last_known_quote_is_served_stale_with_its_age_and_without_it_the_call_is_UNAVAILABLE()
    {
        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        var before = await Quotes(host, "AAPL");

        host.Provider.Failing = true;
        host.Time.Advance(TimeSpan.FromMinutes(3));
        var stale = await Quotes(host, "AAPL");
        var error = await Assert.ThrowsAsync<RpcException>(() => Quotes(host, "AAPL", "MSFT"));

        var quote = Assert.Single(stale.Quotes);
        Assert.True(quote.Stale);
        Assert.Equal(TimeSpan.FromMinutes(3), quote.Age.ToTimeSpan());
        Assert.Equal((decimal)before.Quotes[0].LastPrice, (decimal)quote.LastPrice);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("MSFT", error.Status.Detail, StringComparison.Ordinal);

        host.Provider.Failing = false;
        var fresh = await Quotes(host, "AAPL");
        Assert.False(fresh.Quotes[0].Stale);
    }

    [Fact]
    public async Task With_redis_stopped_mid_test_quotes_keep_coming_health_is_degraded_and_both_recover_when_it_returns()
    {
        await using var redis = await TestServers.StartDedicatedRedisAsync();
        await using var host = await MarketDataTestHost.StartAsync(redis.ConnectionString);
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        await Quotes(host, "AAPL");
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri(host.Address, "/health"), Ct));

        await redis.StopAsync();
        host.Time.Advance(TimeSpan.FromSeconds(3));
        var cached = await Quotes(host, Dow);
        Assert.Equal(Dow.Length, cached.Quotes.Count);
        Assert.All(cached.Quotes, q => Assert.False(q.Stale));
        Assert.Equal("Degraded", await http.GetStringAsync(new Uri(host.Address, "/health"), Ct));

        await redis.RestartAsync(Ct);
        await Eventually.UntilAsync(
            async () =>
            {
                host.Time.Advance(TimeSpan.FromSeconds(6));
                return await http.GetStringAsync(new Uri(host.Address, "/health"), Ct) == "Healthy";
            },
            "health never recovered", Ct, interval: TimeSpan.FromMilliseconds(200));
        host.Time.Advance(TimeSpan.FromSeconds(3));
        await Quotes(host, "MSFT");
        var prefixKeys = await WaitForRedisKeyAsync(redis.ConnectionString);
        Assert.True(prefixKeys > 0, "nothing written to Redis after it came back");
    }

    [Fact]
    public async Task Metrics_count_hits_and_misses_per_tier_and_upstream_calls_errors_and_their_latency()
    {
        var redis = await TestServers.RedisAsync();
        var prefix = $"test:{Guid.NewGuid():N}:";
        await using var first = await MarketDataTestHost.StartAsync(redis, redisKeyPrefix: prefix);
        await using var second = await MarketDataTestHost.StartAsync(redis, redisKeyPrefix: prefix);
        var meters = first.Service<IMeterFactory>();
        using var hits = new MetricCollector<long>(meters, MarketDataMetrics.MeterName, "stockgod.marketdata.cache.hits");
        using var misses = new MetricCollector<long>(meters, MarketDataMetrics.MeterName, "stockgod.marketdata.cache.misses");
        using var calls = new MetricCollector<long>(meters, MarketDataMetrics.MeterName, "stockgod.marketdata.upstream.calls");
        using var errors = new MetricCollector<long>(meters, MarketDataMetrics.MeterName, "stockgod.marketdata.upstream.errors");
        using var latency = new MetricCollector<double>(meters, MarketDataMetrics.MeterName, "stockgod.marketdata.upstream.duration");
        using var secondHits = new MetricCollector<long>(second.Service<IMeterFactory>(), MarketDataMetrics.MeterName, "stockgod.marketdata.cache.hits");

        await Quotes(first, "AAPL", "MSFT");
        await Quotes(first, "AAPL", "MSFT", "BA");
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis);
        await Eventually.UntilAsync(async () => await connection.GetDatabase().KeyExistsAsync($"{prefix}quote:AAPL"), "AAPL never reached Redis", Ct);
        await Quotes(second, "AAPL");
        first.Provider.Failing = true;
        first.Time.Advance(TimeSpan.FromMinutes(1));
        await Quotes(first, "AAPL");

        // First call: 2 misses in memory and Redis. Second: 2 memory hits, BA missed in both. Third (a minute on): a
        // memory miss, Redis holds the same old entry, the provider fails and the stale value is served.
        Assert.Equal(2, Sum(hits, "l1"));
        Assert.Equal(2 + 1 + 1, Sum(misses, "l1"));
        Assert.Equal(2 + 1 + 1, Sum(misses, "l2"));
        Assert.Equal(1, Sum(secondHits, "l2"));
        Assert.Equal(3, calls.GetMeasurementSnapshot().Sum(m => m.Value));
        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal("synthetic", error.Tags["provider"]);
        Assert.Equal("quote", error.Tags["kind"]);
        Assert.Equal(3, latency.GetMeasurementSnapshot().Count);
        Assert.All(latency.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public async Task Quotes_snapshots_and_bars_are_each_answered_from_memory_when_asked_again()
    {
        // HybridCache keeps an entry in memory only if it can size it (it serializes it): a kind it could not would
        // silently go to Redis on every call.
        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(), redisKeyPrefix: $"test:{Guid.NewGuid():N}:");
        using var hits = new MetricCollector<long>(host.Service<IMeterFactory>(), MarketDataMetrics.MeterName, "stockgod.marketdata.cache.hits");
        var bars = new GetBarsRequest
        {
            Symbols = { "AAPL", "MSFT" },
            Timeframe = "1Day",
            Start = Timestamp.FromDateTimeOffset(host.Time.GetUtcNow().AddDays(-40)),
        };

        for (var pass = 0; pass < 2; pass++)
        {
            await Quotes(host, "AAPL", "MSFT");
            await host.Client.GetSnapshotsAsync(new GetSnapshotsRequest { Symbols = { "AAPL", "MSFT" } }, cancellationToken: Ct);
            await host.Client.GetBarsAsync(bars, cancellationToken: Ct);
        }

        var memoryHits = hits.GetMeasurementSnapshot().Where(m => Equals(m.Tags["tier"], "l1")).ToList();
        Assert.Equal(2, memoryHits.Where(m => Equals(m.Tags["kind"], "quote")).Sum(m => m.Value));
        Assert.Equal(2, memoryHits.Where(m => Equals(m.Tags["kind"], "snapshot")).Sum(m => m.Value));
        // Daily bars are cached per month: 40 days span two or three months, for each of the two symbols.
        Assert.InRange(memoryHits.Where(m => Equals(m.Tags["kind"], "bars")).Sum(m => m.Value), 4, 6);
    }

    private static long Sum(MetricCollector<long> collector, string tier) => collector.GetMeasurementSnapshot()
        .Where(m => Equals(m.Tags["tier"], tier) && Equals(m.Tags["kind"], "quote"))
        .Sum(m => m.Value);

    private static Task<GetQuotesResponse> Quotes(MarketDataTestHost host, params string[] symbols) =>
        host.Client.GetQuotesAsync(new GetQuotesRequest { Symbols = { symbols } }, cancellationToken: Ct).ResponseAsync;

    private static async Task<long> WaitForRedisKeyAsync(string connectionString)
    {
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(connectionString);
        var server = connection.GetServers()[0];
        long count = 0;
        await Eventually.UntilAsync(
            async () => (count = await server.DatabaseSizeAsync()) > 0,
            "no key in Redis", Ct);
        return count;
    }
}
