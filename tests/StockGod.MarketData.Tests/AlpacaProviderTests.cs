using Grpc.Core;
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
    private static readonly DateTimeOffset Now = MarketDataTestHost.MarketOpen;

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
}
