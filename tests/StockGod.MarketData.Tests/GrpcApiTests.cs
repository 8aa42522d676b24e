using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing.MarketData;
using StockGod.MarketData.V1;
using StockGod.Testing;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace StockGod.MarketData.Tests;

public sealed class GrpcApiTests : IAsyncLifetime
{
    private MarketDataTestHost _host = null!;

    private MarketDataService.MarketDataServiceClient Client => _host.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task GetQuotes_answers_known_symbols_in_request_order_and_lists_the_unknown_ones()
    {
        var response = await Client.GetQuotesAsync(Request("msft", "BRK.B", "ZZZZ", "AAPL"), cancellationToken: Ct);

        Assert.Equal(["MSFT", "BRK.B", "AAPL"], response.Quotes.Select(q => q.Symbol));
        Assert.Equal(["ZZZZ"], response.UnknownSymbols);
        foreach (var quote in response.Quotes)
        {
            Assert.True((decimal)quote.BidPrice < quote.AskPrice);
            Assert.Equal("synthetic", quote.Source);
            Assert.False(quote.Stale);
            Assert.Equal(_host.Time.GetUtcNow(), quote.Timestamp.ToDateTimeOffset());
        }
    }

    [Fact]
    public async Task Symbols_are_trimmed_upper_cased_split_on_commas_and_deduplicated_and_an_empty_one_is_malformed()
    {
        var response = await Client.GetQuotesAsync(Request(" aapl ", "msft, BRK.B", "AAPL", "MSFT"), cancellationToken: Ct);
        var empty = await Assert.ThrowsAsync<RpcException>(() => Client.GetQuotesAsync(Request("AAPL,,MSFT"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(["AAPL", "MSFT", "BRK.B"], response.Quotes.Select(q => q.Symbol));
        Assert.Empty(response.UnknownSymbols);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("(empty)", empty.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_unknown_symbols_are_NOT_FOUND_naming_them()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.GetQuotesAsync(Request("ZZZZ", "QQQQ"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("ZZZZ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("QQQQ", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_oversized_and_malformed_symbol_lists_are_INVALID_ARGUMENT_saying_which()
    {
        var empty = await Assert.ThrowsAsync<RpcException>(() => Client.GetQuotesAsync(Request(), cancellationToken: Ct).ResponseAsync);
        var oversized = await Assert.ThrowsAsync<RpcException>(() =>
            Client.GetQuotesAsync(Request([.. Enumerable.Range(0, 1001).Select(i => $"S{i}")]), cancellationToken: Ct).ResponseAsync);
        var malformed = await Assert.ThrowsAsync<RpcException>(() => Client.GetQuotesAsync(Request("AAPL", "BAD SYMBOL", "$$"), cancellationToken: Ct).ResponseAsync);
        var snapshots = await Assert.ThrowsAsync<RpcException>(() => Client.GetSnapshotsAsync(new GetSnapshotsRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.All([empty, oversized, malformed, snapshots], e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
        Assert.Contains("1001", oversized.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("BAD SYMBOL", malformed.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("$$", malformed.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("AAPL", malformed.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thousand_symbols_are_accepted()
    {
        var response = await Client.GetQuotesAsync(Request([.. Enumerable.Range(0, 999).Select(i => $"X{i}"), "AAPL"]), cancellationToken: Ct);

        Assert.Equal("AAPL", Assert.Single(response.Quotes).Symbol);
        Assert.Equal(999, response.UnknownSymbols.Count);
    }

    [Fact]
    public async Task GetBars_pages_give_exactly_the_bars_of_one_big_page()
    {
        var request = BarsRequest("5Min", _host.Time.GetUtcNow().AddDays(-3), "SPY", "AAPL", "BRK.B");
        request.Limit = 10_000;
        var whole = await Client.GetBarsAsync(request, cancellationToken: Ct);
        Assert.Empty(whole.NextPageToken);

        var paged = new List<(string Symbol, Bar Bar)>();
        request.Limit = 37;
        var pages = 0;
        do
        {
            var page = await Client.GetBarsAsync(request, cancellationToken: Ct);
            Assert.True(page.Bars.Sum(b => b.Bars.Count) <= 37);
            paged.AddRange(page.Bars.SelectMany(b => b.Bars.Select(bar => (b.Symbol, bar))));
            request.PageToken = page.NextPageToken;
            pages++;
        }
        while (request.PageToken.Length > 0);

        var expected = whole.Bars.SelectMany(b => b.Bars.Select(bar => (b.Symbol, bar))).ToList();
        Assert.Equal(["AAPL", "BRK.B", "SPY"], whole.Bars.Select(b => b.Symbol));
        Assert.True(expected.Count > 100, $"only {expected.Count} bars");
        Assert.Equal((expected.Count + 36) / 37, pages);
        Assert.Equal(expected, paged);
        foreach (var symbolBars in whole.Bars)
        {
            BarAssert.Valid([.. symbolBars.Bars.Select(b => new Trading.Market.Bar(b.Timestamp.ToDateTimeOffset(), b.Open, b.High, b.Low, b.Close, b.Volume))]);
            Assert.All(symbolBars.Bars, b => Assert.True(b.Timestamp.ToDateTimeOffset().AddMinutes(5) <= _host.Time.GetUtcNow(), "unfinished bar served"));
        }
    }

    [Fact]
    public async Task GetBars_refuses_bad_timeframes_limits_ranges_and_foreign_page_tokens()
    {
        var now = _host.Time.GetUtcNow();
        var timeframe = BarsRequest("2Min", now.AddDays(-1), "AAPL");
        var limit = BarsRequest("1Day", now.AddDays(-30), "AAPL");
        limit.Limit = 10_001;
        var range = BarsRequest("1Day", now.AddDays(1), "AAPL");
        var garbage = BarsRequest("1Day", now.AddDays(-30), "AAPL");
        garbage.PageToken = "not-a-token";
        var first = BarsRequest("1Day", now.AddDays(-30), "AAPL", "MSFT");
        first.Limit = 3;
        var foreign = BarsRequest("1Day", now.AddDays(-30), "AAPL");
        foreign.PageToken = (await Client.GetBarsAsync(first, cancellationToken: Ct)).NextPageToken;

        foreach (var request in new[] { timeframe, limit, range, garbage, foreign })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => Client.GetBarsAsync(request, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }

        var unknown = await Assert.ThrowsAsync<RpcException>(() => Client.GetBarsAsync(BarsRequest("1Day", now.AddDays(-30), "ZZZZ"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Snapshots_hold_the_latest_trade_quote_and_bars_consistent_with_each_other()
    {
        var response = await Client.GetSnapshotsAsync(new GetSnapshotsRequest { Symbols = { "AAPL", "NOPE" } }, cancellationToken: Ct);

        var snapshot = Assert.Single(response.Snapshots);
        Assert.Equal(["NOPE"], response.UnknownSymbols);
        Assert.Equal("AAPL", snapshot.Symbol);
        Assert.Equal((decimal)snapshot.LatestQuote.LastPrice, (decimal)snapshot.LatestTrade.Price);
        Assert.Equal((decimal)snapshot.DailyBar.Close, (decimal)snapshot.LatestTrade.Price);
        Assert.InRange((decimal)snapshot.MinuteBar.Close, (decimal)snapshot.DailyBar.Low, (decimal)snapshot.DailyBar.High);
        Assert.True(snapshot.PrevDailyBar.Timestamp.ToDateTimeOffset() < snapshot.DailyBar.Timestamp.ToDateTimeOffset());
    }

    [Fact]
    public async Task StreamQuotes_sends_every_quote_then_the_ones_that_change()
    {
        using var call = Client.StreamQuotes(new StreamQuotesRequest { Symbols = { "AAPL", "MSFT", "NOPE" } }, cancellationToken: Ct);
        var stream = call.ResponseStream;

        Assert.True(await stream.MoveNext(Ct));
        var first = stream.Current;
        Assert.True(await stream.MoveNext(Ct));
        Assert.Equal(["AAPL", "MSFT"], new[] { first.Symbol, stream.Current.Symbol }.Order());

        var next = stream.MoveNext(Ct);
        while (!next.IsCompleted)
        {
            // Time moves only when the test moves it; a minute later prices have moved.
            _host.Time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(next, Task.Delay(50, Ct));
        }

        Assert.True(await next);
        Assert.True(stream.Current.Timestamp.ToDateTimeOffset() > first.Timestamp.ToDateTimeOffset());
    }

    [Fact]
    public async Task Json_transcoding_answers_a_plain_http2_get_with_a_comma_separated_list()
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var response = await http.GetAsync(new Uri(_host.Address, "/v1/quotes?symbols=AAPL,MSFT"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"symbol\":\"AAPL\"", body, StringComparison.Ordinal);
        Assert.Contains("\"symbol\":\"MSFT\"", body, StringComparison.Ordinal);
        Assert.Contains("\"askPrice\":{\"units\":", body, StringComparison.Ordinal);

        var bad = await http.GetAsync(new Uri(_host.Address, "/v1/quotes?symbols=NOT+VALID"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Grpc_health_service_reports_serving()
    {
        var health = new Health.HealthClient(_host.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    private static GetQuotesRequest Request(params string[] symbols) => new() { Symbols = { symbols } };

    private GetBarsRequest BarsRequest(string timeframe, DateTimeOffset start, params string[] symbols) => new()
    {
        Symbols = { symbols },
        Timeframe = timeframe,
        Start = Timestamp.FromDateTimeOffset(start),
        End = Timestamp.FromDateTimeOffset(_host.Time.GetUtcNow()),
    };
}
