using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing.MarketData;
using StockGod.MarketData.V1;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace StockGod.MarketData.Tests;

/// <summary>MarketData with <c>MarketData:Provider=Alpaca</c> against the in-process fake Alpaca (Alpaca's documented JSON).</summary>
public sealed class AlpacaProviderTests
{
    private const string LatestQuotesPath = "/v2/stocks/quotes/latest";
    private static readonly DateTimeOffset Now = MarketDataTestHost.MarketOpen;
    // Small, so that little clock time passes while a request is really on the wire.
    private static readonly TimeSpan ClockStep = TimeSpan.FromMilliseconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Quotes_snapshots_and_paged_bars_come_from_alpaca_on_the_iex_feed_with_the_configured_keys()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: Ct);
        alpaca.MarketData.SetLatestQuote("AAPL", new FakeAlpacaQuote(Now.AddSeconds(-1), 187.41m, 300, 187.45m, 200));
        alpaca.MarketData.SetLatestQuote("BRK.B", new FakeAlpacaQuote(Now.AddSeconds(-2), 411.10m, 100, 411.30m, 100));
        alpaca.MarketData.SetLatestTrade("AAPL", new FakeAlpacaTrade(Now.AddSeconds(-1), 187.43m, 50));
        foreach (var symbol in new[] { "AAPL", "MSFT" })
        {
            alpaca.MarketData.AddBars(symbol, "1Day", Enumerable.Range(1, 20).Select(i => new FakeAlpacaBar(
                Trading.Calendar.NewYorkTime.StartOfDay(DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-30 + i)), 100 + i, 102 + i, 99 + i, 101 + i, 1_000_000, 9_000, 100.5m + i)));
        }

        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(), settings: new Dictionary<string, string?>
        {
            ["MarketData:Provider"] = "Alpaca",
            ["Alpaca:Data:BaseUrl"] = alpaca.BaseUrl.ToString(),
            ["Alpaca:Data:KeyId"] = alpaca.KeyId,
            ["Alpaca:Data:SecretKey"] = alpaca.SecretKey,
            ["Alpaca:Data:BarsPerPage"] = "7",
        });

        var quotes = await host.Client.GetQuotesAsync(new GetQuotesRequest { Symbols = { "AAPL", "BRK.B", "NOPE" } }, cancellationToken: Ct);
        var snapshots = await host.Client.GetSnapshotsAsync(new GetSnapshotsRequest { Symbols = { "AAPL" } }, cancellationToken: Ct);
        var bars = await host.Client.GetBarsAsync(
            new GetBarsRequest
            {
                Symbols = { "AAPL", "MSFT" },
                Timeframe = "1Day",
                Start = Timestamp.FromDateTimeOffset(Now.AddDays(-40)),
                End = Timestamp.FromDateTimeOffset(Now),
            },
            cancellationToken: Ct);

        Assert.Equal(["AAPL", "BRK.B"], quotes.Quotes.Select(q => q.Symbol));
        Assert.Equal(["NOPE"], quotes.UnknownSymbols);
        Assert.Equal(187.41m, (decimal)quotes.Quotes[0].BidPrice);
        Assert.Equal(187.45m, (decimal)quotes.Quotes[0].AskPrice);
        Assert.Equal("alpaca", quotes.Quotes[0].Source);
        Assert.Equal(187.43m, (decimal)snapshots.Snapshots[0].LatestTrade.Price);
        Assert.Equal(40, bars.Bars.Sum(b => b.Bars.Count));
        Assert.Equal(101m + 20, (decimal)bars.Bars.Single(b => b.Symbol == "MSFT").Bars[^1].Close);
        // 40 bars at 7 per Alpaca page: 6 pages, each on the iex feed.
        var barRequests = alpaca.Requests.Where(r => r.Path == "/v2/stocks/bars").ToList();
        Assert.Equal(6, barRequests.Count);
        Assert.All(alpaca.Requests.Where(r => r.Path.StartsWith("/v2/stocks", StringComparison.Ordinal)), r =>
        {
            Assert.Contains("feed=iex", r.Query, StringComparison.Ordinal);
            Assert.Equal(200, r.StatusCode);
        });
    }

    [Fact]
    public async Task Wrong_keys_make_the_provider_unavailable_and_never_leak_the_secret()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: Ct);
        await using var host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(), settings: new Dictionary<string, string?>
        {
            ["MarketData:Provider"] = "Alpaca",
            ["Alpaca:Data:BaseUrl"] = alpaca.BaseUrl.ToString(),
            ["Alpaca:Data:KeyId"] = alpaca.KeyId,
            ["Alpaca:Data:SecretKey"] = "wrong-secret-value",
        });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.GetQuotesAsync(new GetQuotesRequest { Symbols = { "AAPL" } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("401", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_is_waited_out_until_alpacas_reset_and_the_same_request_then_succeeds()
    {
        var (alpaca, host) = await StartWithSharedClockAsync();
        await using var _ = alpaca;
        await using var __ = host;
        alpaca.Faults.RateLimitNext("GET", LatestQuotesPath, resetIn: TimeSpan.FromSeconds(5));

        var quotes = await host.Time.DriveUntilAsync(QuotesAsync(host, "AAPL"), ClockStep, Ct);

        Assert.Equal(187.41m, (decimal)Assert.Single(quotes.Quotes).BidPrice);
        var requests = alpaca.Requests.Where(r => r.Path == LatestQuotesPath).ToList();
        Assert.Equal(new int?[] { 429, 200 }, requests.Select(r => r.StatusCode));
        Assert.True(
            requests[1].ReceivedAt >= requests[0].ReceivedAt + TimeSpan.FromSeconds(5),
            $"sent again before X-RateLimit-Reset: {requests[0].ReceivedAt:O}, then {requests[1].ReceivedAt:O}");
    }

    [Fact]
    public async Task Server_errors_are_retried_then_the_last_known_quote_is_served_stale_with_its_age_or_the_call_is_UNAVAILABLE()
    {
        var (alpaca, host) = await StartWithSharedClockAsync();
        await using var _ = alpaca;
        await using var __ = host;
        var fresh = await QuotesAsync(host, "AAPL");
        host.Time.Advance(TimeSpan.FromSeconds(10));
        // Two calls below, each one attempt and the standard handler's three retries.
        alpaca.Faults.FailNext("GET", LatestQuotesPath, times: 8, statusCode: 503);

        var stale = await host.Time.DriveUntilAsync(QuotesAsync(host, "AAPL"), ClockStep, Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => host.Time.DriveUntilAsync(QuotesAsync(host, "MSFT"), ClockStep, Ct));

        var quote = Assert.Single(stale.Quotes);
        Assert.True(quote.Stale);
        Assert.True(quote.Age.ToTimeSpan() >= TimeSpan.FromSeconds(10), $"age {quote.Age.ToTimeSpan()}");
        Assert.Equal((decimal)fresh.Quotes[0].BidPrice, (decimal)quote.BidPrice);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("MSFT", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("503", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(8, alpaca.Requests.Count(r => r.Path == LatestQuotesPath && r.StatusCode == 503));
    }

    [Fact]
    public async Task A_request_alpaca_never_answers_times_out_and_is_sent_again()
    {
        var (alpaca, host) = await StartWithSharedClockAsync();
        await using var _ = alpaca;
        await using var __ = host;
        alpaca.Faults.HangNext("GET", LatestQuotesPath);

        var quotes = await host.Time.DriveUntilAsync(QuotesAsync(host, "AAPL"), ClockStep, Ct);

        Assert.Equal(187.41m, (decimal)Assert.Single(quotes.Quotes).BidPrice);
        // The first request never gets its answer, so the quote came from a second one sent after the attempt timed out.
        Assert.Equal(2, alpaca.Requests.Count(r => r.Path == LatestQuotesPath));
    }

    [Fact]
    public async Task The_alpaca_keys_never_reach_the_logs_even_at_trace_level_through_successes_retries_and_rate_limits()
    {
        var (alpaca, host) = await StartWithSharedClockAsync(builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFakeLogging();
        });
        await using var _ = alpaca;
        await using var __ = host;

        await QuotesAsync(host, "AAPL");
        host.Time.Advance(TimeSpan.FromSeconds(10));
        alpaca.Faults.FailNext("GET", LatestQuotesPath, statusCode: 500);
        alpaca.Faults.RateLimitNext("GET", LatestQuotesPath, resetIn: TimeSpan.FromSeconds(3));
        await host.Time.DriveUntilAsync(QuotesAsync(host, "AAPL", "BRK.B"), ClockStep, Ct);

        var records = host.App.Services.GetFakeLogCollector().GetSnapshot();
        var logged = string.Join('\n', records.Select(r =>
            $"{r.Message} {string.Join(' ', r.StructuredState?.Select(s => $"{s.Key}={s.Value}") ?? [])} {string.Join(' ', r.Scopes)} {r.Exception}"));
        // The requests, the 500 and the 429 were logged, so a leak would have been caught.
        Assert.Contains($"GET {LatestQuotesPath}", logged, StringComparison.Ordinal);
        Assert.Contains(records, r => r.Message.Contains("answered 500", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("rate limit", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(alpaca.KeyId, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(alpaca.SecretKey, logged, StringComparison.Ordinal);
    }

    /// <summary>The fake Alpaca and MarketData on one fake clock, so Alpaca's reset times and the client's waits agree.</summary>
    private static async Task<(FakeAlpacaServer Alpaca, MarketDataTestHost Host)> StartWithSharedClockAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var time = new FakeTimeProvider(Now);
        var alpaca = await FakeAlpacaServer.StartAsync(time, Ct);
        alpaca.MarketData.SetLatestQuote("AAPL", new FakeAlpacaQuote(Now.AddSeconds(-1), 187.41m, 300, 187.45m, 200));
        alpaca.MarketData.SetLatestQuote("BRK.B", new FakeAlpacaQuote(Now.AddSeconds(-2), 411.10m, 100, 411.30m, 100));
        var host = await MarketDataTestHost.StartAsync(
            await TestServers.RedisAsync(),
            settings: new Dictionary<string, string?>
            {
                ["MarketData:Provider"] = "Alpaca",
                ["Alpaca:Data:BaseUrl"] = alpaca.BaseUrl.ToString(),
                ["Alpaca:Data:KeyId"] = alpaca.KeyId,
                ["Alpaca:Data:SecretKey"] = alpaca.SecretKey,
                ["Alpaca:Data:Resilience:Retry:Delay"] = "00:00:00.100",
                ["Logging:LogLevel:Default"] = configure is null ? "Warning" : "Trace",
            },
            time: time,
            configure: configure);
        return (alpaca, host);
    }

    private static Task<GetQuotesResponse> QuotesAsync(MarketDataTestHost host, params string[] symbols) =>
        host.Client.GetQuotesAsync(new GetQuotesRequest { Symbols = { symbols } }, cancellationToken: Ct).ResponseAsync;
}
