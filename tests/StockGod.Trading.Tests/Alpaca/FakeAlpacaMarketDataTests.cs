using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StockGod.Testing.FakeAlpaca;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>The fake's Market Data v2 routes answer in the shapes of market-data-api.json.</summary>
public sealed class FakeAlpacaMarketDataTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day1 = new(2026, 1, 2, 5, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private FakeAlpacaServer _alpaca = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _http = new HttpClient { BaseAddress = _alpaca.BaseUrl };
        _http.DefaultRequestHeaders.Add("APCA-API-KEY-ID", _alpaca.KeyId);
        _http.DefaultRequestHeaders.Add("APCA-API-SECRET-KEY", _alpaca.SecretKey);
        _alpaca.MarketData.AddBars("AAPL", "1Day", [Bar(0, 194.1m), Bar(1, 195m), Bar(2, 196.29m)]);
        _alpaca.MarketData.AddBars("MSFT", "1D", [Bar(0, 410m), Bar(1, 412.5m)]);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _alpaca.DisposeAsync();
    }

    [Fact]
    public async Task Latest_quotes_are_keyed_by_symbol_with_numeric_prices_and_unknown_symbols_left_out()
    {
        _alpaca.MarketData.SetLatestQuote("AAPL", new FakeAlpacaQuote(new DateTimeOffset(2026, 1, 5, 15, 4, 5, TimeSpan.Zero).AddTicks(1_234_567), 197.51m, 100, 197.55m, 200));

        var body = await _http.GetFromJsonAsync<JsonElement>("v2/stocks/quotes/latest?symbols=AAPL,NOPE&feed=iex", Cancel);

        var quotes = body.GetProperty("quotes");
        Assert.Equal(["AAPL"], quotes.EnumerateObject().Select(p => p.Name));
        var quote = quotes.GetProperty("AAPL");
        Assert.Equal(["ap", "as", "ax", "bp", "bs", "bx", "c", "t", "z"], quote.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Number, quote.GetProperty("bp").ValueKind);
        Assert.Equal(197.55m, quote.GetProperty("ap").GetDecimal());
        Assert.Equal("2026-01-05T15:04:05.123456700Z", quote.GetProperty("t").GetString());
    }

    [Fact]
    public async Task Multi_symbol_bars_page_by_symbol_then_time_with_the_limit_counting_all_symbols()
    {
        var pages = new List<JsonElement>();
        string? token = null;
        do
        {
            var query = "v2/stocks/bars?symbols=MSFT,AAPL&timeframe=1Day&start=2026-01-01&end=2026-01-31&limit=2"
                + (token is null ? "" : $"&page_token={Uri.EscapeDataString(token)}");
            var page = await _http.GetFromJsonAsync<JsonElement>(query, Cancel);
            pages.Add(page);
            token = page.GetProperty("next_page_token").GetString();
        }
        while (token is not null);

        var seen = pages.Select(p => string.Join(",", p.GetProperty("bars").EnumerateObject()
            .SelectMany(s => s.Value.EnumerateArray().Select(b => $"{s.Name}:{b.GetProperty("c").GetDecimal()}")))).ToList();
        Assert.Equal(["AAPL:194.1,AAPL:195", "AAPL:196.29,MSFT:410", "MSFT:412.5"], seen);
        Assert.Equal(JsonValueKind.Null, pages[^1].GetProperty("next_page_token").ValueKind);
        Assert.Equal("2026-01-02T05:00:00Z", pages[0].GetProperty("bars").GetProperty("AAPL")[0].GetProperty("t").GetString());
        Assert.Equal(["t", "o", "h", "l", "c", "v", "n", "vw"], pages[0].GetProperty("bars").GetProperty("AAPL")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Bars_respect_inclusive_start_and_end_and_refuse_unknown_timeframes()
    {
        var body = await _http.GetFromJsonAsync<JsonElement>(
            $"v2/stocks/bars?symbols=AAPL&timeframe=1D&start={Day1.AddDays(1):yyyy-MM-dd'T'HH:mm:ss'Z'}&end={Day1.AddDays(2):yyyy-MM-dd'T'HH:mm:ss'Z'}", Cancel);
        using var invalid = await _http.GetAsync("v2/stocks/bars?symbols=AAPL&timeframe=2Day", Cancel);

        Assert.Equal([195m, 196.29m], body.GetProperty("bars").GetProperty("AAPL").EnumerateArray().Select(b => b.GetProperty("c").GetDecimal()));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Snapshots_are_a_top_level_map_built_from_the_seeded_data()
    {
        _alpaca.MarketData.SetLatestTrade("AAPL", new FakeAlpacaTrade(Day1.AddDays(3), 197.53m, 50));

        var body = await _http.GetFromJsonAsync<JsonElement>("v2/stocks/snapshots?symbols=AAPL,NOPE", Cancel);

        var snapshot = Assert.Single(body.EnumerateObject().ToList());
        Assert.Equal("AAPL", snapshot.Name);
        Assert.Equal(["latestTrade", "dailyBar", "prevDailyBar"], snapshot.Value.EnumerateObject().Select(p => p.Name));
        Assert.Equal(196.29m, snapshot.Value.GetProperty("dailyBar").GetProperty("c").GetDecimal());
        Assert.Equal(195m, snapshot.Value.GetProperty("prevDailyBar").GetProperty("c").GetDecimal());
        Assert.Equal(197.53m, snapshot.Value.GetProperty("latestTrade").GetProperty("p").GetDecimal());
    }

    [Fact]
    public async Task Market_data_routes_share_faults_and_rate_limit_headers()
    {
        _alpaca.Faults.RateLimitNext("GET", "/v2/stocks/snapshots", TimeSpan.FromSeconds(30));

        using var limited = await _http.GetAsync("v2/stocks/snapshots?symbols=AAPL", Cancel);
        using var fine = await _http.GetAsync("v2/stocks/snapshots?symbols=AAPL", Cancel);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("0", Assert.Single(limited.Headers.GetValues("X-RateLimit-Remaining")));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Equal(2, _alpaca.CountRequests("GET", "/v2/stocks/snapshots"));
    }

    private static FakeAlpacaBar Bar(int day, decimal close) =>
        new(Day1.AddDays(day), close - 1, close + 1, close - 2, close, 1_000_000 + day, 10_000 + day, close - 0.5m);
}
