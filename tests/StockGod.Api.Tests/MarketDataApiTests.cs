using System.Globalization;
using System.Net;
using System.Text.Json;
using StockGod.Api.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.MarketData;

namespace StockGod.Api.Tests;

/// <summary>The market endpoints against a real MarketData (synthetic market, fake clock) over gRPC.</summary>
public sealed class MarketDataApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Start = MarketDataTestHost.MarketOpen.AddDays(-30).ToString("O", CultureInfo.InvariantCulture);
    private static readonly string End = MarketDataTestHost.MarketOpen.AddDays(-1).ToString("O", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Quotes_come_from_market_data_with_decimal_strings_and_unknown_symbols_listed()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.GetAsync("/api/v1/market/quotes?symbols=AAPL,msft,ZZZZ", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        var quotes = body.GetProperty("quotes").EnumerateArray().ToDictionary(q => q.GetProperty("symbol").GetString()!);
        Assert.Equal(["AAPL", "MSFT"], quotes.Keys.Order());
        foreach (var quote in quotes.Values)
        {
            var bid = Money(quote, "bid_price");
            var ask = Money(quote, "ask_price");
            Assert.InRange(bid, 0.01m, ask);
            Assert.InRange(Money(quote, "last_price"), bid * 0.9m, ask * 1.1m);
            Assert.Equal("synthetic", quote.GetProperty("source").GetString());
            Assert.False(quote.GetProperty("stale").GetBoolean());
            Assert.True(quote.GetProperty("age_ms").GetInt64() >= 0);
        }

        Assert.Equal(["ZZZZ"], body.GetProperty("unknown_symbols").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Only_unknown_symbols_are_a_404_naming_them()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.GetAsync("/api/v1/market/quotes?symbols=ZZZZ,QQQX", Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        Assert.Contains("ZZZZ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("QQQX", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/market/quotes", "symbols")]
    [InlineData("/api/v1/market/quotes?symbols=AA$PL", "symbols")]
    [InlineData("/api/v1/market/snapshots?symbols=,", "symbols")]
    [InlineData("/api/v1/market/bars?symbols=AAPL&start=2026-01-01T00:00:00Z", "timeframe")]
    [InlineData("/api/v1/market/bars?symbols=AAPL&timeframe=2Min&start=2026-01-01T00:00:00Z", "timeframe")]
    [InlineData("/api/v1/market/bars?symbols=AAPL&timeframe=1Day", "start")]
    [InlineData("/api/v1/market/bars?symbols=AAPL&timeframe=1Day&start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z", "end")]
    [InlineData("/api/v1/market/bars?symbols=AAPL&timeframe=1Day&start=2026-01-01T00:00:00Z&limit=0", "limit")]
    [InlineData("/api/v1/market/symbols", "q")]
    [InlineData("/api/v1/market/symbols?q=apple&limit=51", "limit")]
    public async Task Bad_parameters_are_validation_problems(string url, string field)
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.GetAsync(url, Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task A_request_market_data_refuses_is_a_400()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.GetAsync($"/api/v1/market/bars?symbols=AAPL&timeframe=1Day&start={Uri.EscapeDataString(Start)}&end={Uri.EscapeDataString(End)}&page_token=not-a-token", Ct);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/validation");
    }

    [Fact]
    public async Task Bars_page_through_with_the_token_and_add_up_to_the_unpaged_answer()
    {
        var user = await factory.CreateUserAsync();
        var query = $"/api/v1/market/bars?symbols=AAPL,MSFT&timeframe=1Day&start={Uri.EscapeDataString(Start)}&end={Uri.EscapeDataString(End)}";

        var whole = await (await user.Http.GetAsync(query + "&limit=10000", Ct)).ReadJsonAsync();
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next_page_token").ValueKind);
        var expected = Bars(whole);
        Assert.Equal(["AAPL", "MSFT"], expected.Select(b => b.Symbol).Distinct());
        Assert.True(expected.Count > 20, $"Only {expected.Count} daily bars in 30 days");

        var paged = new List<(string Symbol, string Timestamp, decimal Close)>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await (await user.Http.GetAsync(query + "&limit=7" + (token is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(token)), Ct)).ReadJsonAsync();
            var bars = Bars(page);
            Assert.InRange(bars.Count, 1, 7);
            paged.AddRange(bars);
            token = page.GetProperty("next_page_token").GetString();
            pages++;
        }
        while (token is not null && pages < 100);

        Assert.Equal((expected.Count + 6) / 7, pages);
        Assert.Equal(expected, paged);
    }

    [Fact]
    public async Task Snapshots_carry_the_latest_quote_and_the_daily_bars()
    {
        var user = await factory.CreateUserAsync();

        var body = await (await user.Http.GetAsync("/api/v1/market/snapshots?symbols=AAPL,BRK.B", Ct)).ReadJsonAsync();

        var snapshots = body.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(["AAPL", "BRK.B"], snapshots.Select(s => s.GetProperty("symbol").GetString()).Order());
        foreach (var snapshot in snapshots)
        {
            Assert.Equal(snapshot.GetProperty("symbol").GetString(), snapshot.GetProperty("latest_quote").GetProperty("symbol").GetString());
            var daily = snapshot.GetProperty("daily_bar");
            Assert.InRange(Money(daily, "close"), Money(daily, "low"), Money(daily, "high"));
            Assert.True(DateTimeOffset.Parse(snapshot.GetProperty("prev_daily_bar").GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture)
                < DateTimeOffset.Parse(daily.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture));
            Assert.False(snapshot.GetProperty("stale").GetBoolean());
        }
    }

    [Fact]
    public async Task A_failing_source_serves_the_last_quote_as_stale_with_its_age_and_nothing_cached_is_a_503()
    {
        var user = await factory.CreateUserAsync();
        var fresh = (await (await user.Http.GetAsync("/api/v1/market/quotes?symbols=JNJ", Ct)).ReadJsonAsync()).GetProperty("quotes")[0];
        factory.MarketData.Time.Advance(TimeSpan.FromSeconds(30));
        factory.MarketData.Provider.Failing = true;
        try
        {
            var stale = (await (await user.Http.GetAsync("/api/v1/market/quotes?symbols=JNJ", Ct)).ReadJsonAsync()).GetProperty("quotes")[0];
            Assert.True(stale.GetProperty("stale").GetBoolean());
            Assert.True(stale.GetProperty("age_ms").GetInt64() >= 30_000, stale.ToString());
            Assert.Equal(fresh.GetProperty("last_price").GetString(), stale.GetProperty("last_price").GetString());

            var unavailable = await user.Http.GetAsync("/api/v1/market/quotes?symbols=KO", Ct);
            await unavailable.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "https://stockgod.dev/problems/service-unavailable");
            Assert.True(unavailable.Headers.Contains("Retry-After"));
        }
        finally
        {
            factory.MarketData.Provider.Failing = false;
        }
    }

    [Fact]
    public async Task Symbol_search_ranks_the_ticker_before_name_matches()
    {
        SharedData.RequirePath("sp500-constituents.csv");
        var user = await factory.CreateUserAsync();

        var byTicker = await (await user.Http.GetAsync("/api/v1/market/symbols?q=aapl", Ct)).ReadJsonAsync();
        var byName = await (await user.Http.GetAsync("/api/v1/market/symbols?q=apple&limit=3", Ct)).ReadJsonAsync();
        var nothing = await (await user.Http.GetAsync("/api/v1/market/symbols?q=zzzzzzzz", Ct)).ReadJsonAsync();

        var first = byTicker.GetProperty("symbols")[0];
        Assert.Equal("AAPL", first.GetProperty("symbol").GetString());
        Assert.Contains("Apple", first.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal("Information Technology", first.GetProperty("sector").GetString());
        var names = byName.GetProperty("symbols").EnumerateArray().ToList();
        Assert.InRange(names.Count, 1, 3);
        Assert.Contains(names, s => s.GetProperty("symbol").GetString() == "AAPL");
        Assert.All(names, s => Assert.Contains("apple", s.GetProperty("name").GetString()!, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, nothing.GetProperty("symbols").GetArrayLength());
    }

    private static decimal Money(JsonElement element, string property) =>
        decimal.Parse(element.GetProperty(property).GetString()!, CultureInfo.InvariantCulture);

    private static List<(string Symbol, string Timestamp, decimal Close)> Bars(JsonElement page) =>
        [.. page.GetProperty("bars").EnumerateArray().SelectMany(s => s.GetProperty("bars").EnumerateArray()
            .Select(b => (s.GetProperty("symbol").GetString()!, b.GetProperty("timestamp").GetString()!, Money(b, "close"))))];
}
