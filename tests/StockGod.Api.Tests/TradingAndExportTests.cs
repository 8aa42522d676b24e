using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.VisualBasic.FileIO;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Watchlists;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

/// <summary>
/// A market order through the Api on the simulated exchange, priced by the real MarketData, then the portfolio's
/// exports and the user's data export built from what that trade left behind.
/// </summary>
public sealed class TradingAndExportTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    // A client_order_id a CSV writer must quote: a comma, quotes and a line break.
    private const string AwkwardClientOrderId = "mine,with \"quotes\"\nand a break";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_market_order_fills_on_the_simulated_exchange_and_moves_cash_and_position()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);

        var (order, fillPrice) = await BuyAsync(user, portfolioId, "AAPL", 5m, clientOrderId: null);

        Assert.Equal("filled", order.GetProperty("status").GetString());
        Assert.Equal(5m, Decimal(order, "filled_qty"));
        var quote = (await (await user.Http.GetAsync("/api/v1/market/quotes?symbols=AAPL", Ct)).ReadJsonAsync()).GetProperty("quotes")[0];
        Assert.InRange(fillPrice, Decimal(quote, "bid_price") * 0.95m, Decimal(quote, "ask_price") * 1.05m);
        var portfolio = await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}", Ct)).ReadJsonAsync();
        var position = Assert.Single(portfolio.GetProperty("positions").EnumerateArray());
        Assert.Equal("AAPL", position.GetProperty("symbol").GetString());
        Assert.Equal(5m, Decimal(position, "quantity"));
        Assert.Equal(fillPrice, Decimal(position, "average_entry_price"));
        Assert.Equal(100_000m - (5m * fillPrice) - Decimal(portfolio, "total_commissions"), Decimal(portfolio, "cash"));
    }

    [Fact]
    public async Task Trades_and_positions_export_as_escaped_csv_and_as_json_downloads()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var (order, fillPrice) = await BuyAsync(user, portfolioId, "MSFT", 3m, AwkwardClientOrderId);

        var csv = await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/trades?format=csv", Ct);
        var json = await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/trades?format=json", Ct);
        var positionsCsv = await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/positions", Ct);
        var positionsJson = await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/positions?format=json", Ct);

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"trades-{portfolioId}.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var rows = ParseCsv(await csv.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["id", "order_id", "client_order_id", "execution_id", "symbol", "side", "qty", "price", "commission", "realized_pl", "executed_at"], rows[0]);
        var trade = Assert.Single(rows.Skip(1));
        Assert.Equal(order.GetProperty("id").GetString(), trade[1]);
        Assert.Equal(AwkwardClientOrderId, trade[2]);
        Assert.Equal(["MSFT", "buy", "3"], trade[4..7]);
        Assert.Equal(fillPrice, decimal.Parse(trade[7], CultureInfo.InvariantCulture));

        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"trades-{portfolioId}.json", json.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var jsonTrade = Assert.Single((await json.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(AwkwardClientOrderId, jsonTrade.GetProperty("client_order_id").GetString());
        Assert.Equal(trade[0], jsonTrade.GetProperty("id").GetString());
        Assert.Equal(trade[7], jsonTrade.GetProperty("price").GetString());

        var positionRows = ParseCsv(await positionsCsv.Content.ReadAsStringAsync(Ct));
        Assert.Equal($"positions-{portfolioId}.csv", positionsCsv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(["MSFT", "3"], Assert.Single(positionRows.Skip(1))[1..3]);
        Assert.Equal("3", Assert.Single((await positionsJson.ReadJsonAsync()).EnumerateArray()).GetProperty("quantity").GetString());
    }

    [Fact]
    public async Task An_order_for_another_users_portfolio_or_an_unknown_one_is_404_and_saves_nothing()
    {
        var owner = await factory.CreateUserAsync();
        var intruder = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(owner);
        var order = new { symbol = "AAPL", side = "buy", type = "market", qty = "1", client_order_id = "intruder-1" };

        await (await intruder.Http.PostAsJsonAsync($"/api/v1/portfolios/{portfolioId}/orders", order, Ct))
            .AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        await (await owner.Http.PostAsJsonAsync($"/api/v1/portfolios/{Guid.NewGuid()}/orders", order, Ct))
            .AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");

        var orders = await (await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders", Ct)).ReadJsonAsync();
        Assert.Empty(orders.GetProperty("orders").EnumerateArray());
        var placed = await owner.Http.PostAsJsonAsync($"/api/v1/portfolios/{portfolioId}/orders", order, Ct);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode); // the intruder's client_order_id was not taken
    }

    [Fact]
    public async Task Exports_are_404_for_another_user_and_400_for_an_unknown_format()
    {
        var owner = await factory.CreateUserAsync();
        var intruder = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(owner);

        await (await intruder.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/trades?format=json", Ct))
            .AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        await (await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/positions?format=xml", Ct)).AssertValidationProblemAsync("format");
        var empty = ParseCsv(await (await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/exports/trades", Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Single(empty); // the header only
    }

    [Fact]
    public async Task The_users_data_export_holds_everything_they_own_and_no_secret()
    {
        var user = await factory.CreateUserAsync();
        var other = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        await CreatePortfolioAsync(other);
        var (order, _) = await BuyAsync(user, portfolioId, "KO", 2m, clientOrderId: null);
        var apiKey = (await (await user.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "robot" }, Ct)).ReadJsonAsync());
        await SeedUserRecordsAsync(user.Id);

        var response = await user.Http.GetAsync("/api/v1/accounts/me/export", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var export = JsonDocument.Parse(text).RootElement;
        Assert.Equal(user.Email, export.GetProperty("profile").GetProperty("email").GetString());
        var portfolio = Assert.Single(export.GetProperty("portfolios").EnumerateArray());
        Assert.Equal(portfolioId.ToString(), portfolio.GetProperty("portfolio").GetProperty("id").GetString());
        Assert.Equal("KO", Assert.Single(portfolio.GetProperty("portfolio").GetProperty("positions").EnumerateArray()).GetProperty("symbol").GetString());
        Assert.Equal(order.GetProperty("id").GetString(), Assert.Single(portfolio.GetProperty("orders").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal("2", Assert.Single(portfolio.GetProperty("fills").EnumerateArray()).GetProperty("qty").GetString());
        Assert.Equal(0, portfolio.GetProperty("strategies").GetArrayLength());
        Assert.Equal(["NVDA", "V"], Assert.Single(export.GetProperty("watchlists").EnumerateArray()).GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("above", Assert.Single(export.GetProperty("alerts").EnumerateArray()).GetProperty("condition").GetString());
        Assert.Equal("Hello", Assert.Single(export.GetProperty("notifications").EnumerateArray()).GetProperty("title").GetString());

        Assert.DoesNotContain(apiKey.GetProperty("key").GetString()!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(other.Email, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_users_data_export_writes_each_record_as_the_api_answers_it()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var strategy = await user.Http.PostAsJsonAsync($"/api/v1/portfolios/{portfolioId}/strategies",
            new { name = "Cross", type = "sma_crossover", parameters = new { fastPeriod = 5, slowPeriod = 20 }, symbols = new[] { "V", "AAPL" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, strategy.StatusCode);
        await SeedUserRecordsAsync(user.Id);

        var export = (await (await user.Http.GetAsync("/api/v1/accounts/me/export", Ct)).ReadJsonAsync());

        var portfolio = Assert.Single(export.GetProperty("portfolios").EnumerateArray());
        AssertSameJson(await GetJsonAsync(user, $"/api/v1/portfolios/{portfolioId}/strategies"), portfolio.GetProperty("strategies"));
        AssertSameJson(await GetJsonAsync(user, "/api/v1/watchlists"), export.GetProperty("watchlists"));
        AssertSameJson(await GetJsonAsync(user, "/api/v1/alerts"), export.GetProperty("alerts"));
        AssertSameJson((await GetJsonAsync(user, "/api/v1/notifications")).GetProperty("notifications"), export.GetProperty("notifications"));
    }

    private static async Task<JsonElement> GetJsonAsync(UserClient user, string path)
    {
        var response = await user.Http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static void AssertSameJson(JsonElement expected, JsonElement actual) =>
        Assert.True(JsonElement.DeepEquals(expected, actual), $"expected {expected.GetRawText()}, got {actual.GetRawText()}");

    private async Task SeedUserRecordsAsync(Guid userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var now = DateTimeOffset.UtcNow;
        var watchlist = new Watchlist(Guid.CreateVersion7(), userId, "Tech", now);
        watchlist.Add("NVDA", now);
        watchlist.Add("V", now.AddSeconds(1));
        db.Watchlists.Add(watchlist);
        db.PriceAlerts.Add(new PriceAlert(Guid.CreateVersion7(), userId, "KO", PriceAlertCondition.Above, 100m, null, now));
        db.Notifications.Add(new Notification(Guid.CreateVersion7(), userId, "test", "Hello", "A notification", null, now));
        await db.SaveChangesAsync(Ct);
    }

    private static async Task<Guid> CreatePortfolioAsync(UserClient user)
    {
        var created = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Trading", starting_cash = "100000" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>Places a market buy through the Api and reads it back: the order as GET answers it, and its fill price.</summary>
    private static async Task<(JsonElement Order, decimal FillPrice)> BuyAsync(UserClient user, Guid portfolioId, string symbol, decimal qty, string? clientOrderId)
    {
        var placed = await user.Http.PostAsJsonAsync($"/api/v1/portfolios/{portfolioId}/orders",
            new { symbol, side = "buy", type = "market", qty = qty.ToString(CultureInfo.InvariantCulture), client_order_id = clientOrderId }, Ct);
        Assert.True(placed.StatusCode == HttpStatusCode.Created, await placed.Content.ReadAsStringAsync(Ct));
        var order = await (await user.Http.GetAsync(placed.Headers.Location, Ct)).ReadJsonAsync();
        return (order, Decimal(order, "filled_avg_price"));
    }

    private static decimal Decimal(JsonElement element, string property) =>
        decimal.Parse(element.GetProperty(property).GetString()!, CultureInfo.InvariantCulture);

    private static List<string[]> ParseCsv(string csv)
    {
        using var parser = new TextFieldParser(new StringReader(csv)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (parser.ReadFields() is { } row)
        {
            rows.Add(row);
        }

        return rows;
    }
}
