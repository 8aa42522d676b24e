using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Calendar;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

public sealed class PortfoliosTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_created_portfolio_reports_cash_equity_and_pl_as_decimal_strings()
    {
        var user = await factory.CreateUserAsync();

        var created = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Growth", starting_cash = "25000.50" }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        Assert.Equal("simulated", body.GetProperty("trading_mode").GetString());
        Assert.Equal("25000.5", body.GetProperty("cash").GetString());
        Assert.Equal("25000.5", body.GetProperty("equity").GetString());
        Assert.Equal("0", body.GetProperty("total_pl").GetString());
        Assert.Equal(created.Headers.Location!.ToString(), $"/api/v1/portfolios/{body.GetProperty("id").GetGuid()}");
    }

    [Fact]
    public async Task Get_shows_positions_and_pl_after_fills()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Fills");
        await Seed.BuyAsync(factory, id, "BRK.B", 10m, 400m);
        await Seed.BuyAsync(factory, id, "AAPL", 5m, 100m);

        var body = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}", Ct)).ReadJsonAsync();

        Assert.Equal("95500", body.GetProperty("cash").GetString());
        Assert.Equal(["AAPL", "BRK.B"], body.GetProperty("positions").EnumerateArray().Select(p => p.GetProperty("symbol").GetString()).ToArray());
        Assert.Equal("10", body.GetProperty("positions")[1].GetProperty("quantity").GetString());
        var position = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/positions/brk.b", Ct)).ReadJsonAsync();
        Assert.Equal("BRK.B", position.GetProperty("symbol").GetString());
    }

    [Fact]
    public async Task Get_values_positions_at_their_stored_prices_and_takes_the_day_pl_from_the_last_close_before_today()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Day P&L");
        await Seed.BuyAsync(factory, id, "MSFT", 10m, 400m);
        await Seed.BuyAsync(factory, id, "AAPL", 5m, 100m);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // As the price_update job does.
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            var portfolio = await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == id, Ct);
            portfolio.MarkToMarket(new Dictionary<string, decimal> { ["MSFT"] = 410m, ["AAPL"] = 100m }, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync(Ct);
        }

        var today = NewYorkTime.DateOf(DateTimeOffset.UtcNow);
        await Seed.SnapshotAsync(factory, id, today.AddDays(-5), 100_000m, 0m);
        await Seed.SnapshotAsync(factory, id, today.AddDays(-1), 95_500m, 4_450m); // the previous close: 99,950
        await Seed.SnapshotAsync(factory, id, today, 1m, 1m); // today's own snapshot is not the base of today's P&L

        var body = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}", Ct)).ReadJsonAsync();

        Assert.Equal("95500", body.GetProperty("cash").GetString());
        Assert.Equal("4600", body.GetProperty("positions_value").GetString());
        Assert.Equal("100100", body.GetProperty("equity").GetString());
        Assert.Equal("100", body.GetProperty("unrealized_pl").GetString());
        Assert.Equal("100", body.GetProperty("total_pl").GetString());
        Assert.Equal("150", body.GetProperty("day_pl").GetString());
        var msft = body.GetProperty("positions").EnumerateArray().Single(p => p.GetProperty("symbol").GetString() == "MSFT");
        Assert.Equal("410", msft.GetProperty("last_price").GetString());
        Assert.Equal("4100", msft.GetProperty("market_value").GetString());

        // The answers that read the portfolio as an entity report the same figures.
        var renamed = await (await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{id}/name", new { name = "Renamed" }, Ct)).ReadJsonAsync();
        foreach (var field in new[] { "positions_value", "equity", "unrealized_pl", "total_pl", "day_pl" })
        {
            Assert.Equal(body.GetProperty(field).GetString(), renamed.GetProperty(field).GetString());
        }
    }

    [Fact]
    public async Task Get_of_a_portfolio_without_positions_or_snapshots_has_no_day_pl_and_another_users_is_a_404()
    {
        var user = await factory.CreateUserAsync();
        var other = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Flat");

        var body = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}", Ct)).ReadJsonAsync();

        Assert.Equal(JsonValueKind.Null, body.GetProperty("day_pl").ValueKind);
        Assert.Empty(body.GetProperty("positions").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/api/v1/portfolios/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Creating_with_invalid_fields_lists_each_error()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = new string('x', 101), starting_cash = "-1", trading_mode = "live" }, Ct);

        await response.AssertValidationProblemAsync("name", "starting_cash", "confirm_live");
    }

    [Fact]
    public async Task An_unknown_trading_mode_or_a_money_value_with_an_exponent_is_a_400()
    {
        var user = await factory.CreateUserAsync();

        var mode = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "x", trading_mode = "yolo" }, Ct);
        var exponent = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "x", starting_cash = "1e5" }, Ct);

        Assert.Contains("$.trading_mode", (await mode.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request")).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("$.starting_cash", (await exponent.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request")).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_needs_configured_keys_even_when_confirmed()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Real money", trading_mode = "live", confirm_live = true }, Ct);

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/business-rule");
    }

    [Fact]
    public async Task Live_trading_cannot_be_switched_on_for_a_simulated_portfolio_and_needs_confirmation()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Sim");

        var unconfirmed = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{id}/live-trading", new { enabled = true }, Ct);
        var off = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{id}/live-trading", new { enabled = false }, Ct);

        await unconfirmed.AssertValidationProblemAsync("confirm");
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
    }

    [Fact]
    public async Task Rename_list_and_duplicate_names()
    {
        var user = await factory.CreateUserAsync();
        var first = await CreatePortfolioAsync(user, "One");
        await CreatePortfolioAsync(user, "Two");

        var renamed = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{first}/name", new { name = "Uno" }, Ct);
        var clash = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{first}/name", new { name = "Two" }, Ct);
        var list = await (await user.Http.GetAsync("/api/v1/portfolios", Ct)).ReadJsonAsync();

        Assert.Equal("Uno", (await renamed.ReadJsonAsync()).GetProperty("name").GetString());
        await clash.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        Assert.Equal(["Uno", "Two"], list.EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToArray());
    }

    [Fact]
    public async Task Delete_only_when_flat()
    {
        var user = await factory.CreateUserAsync();
        var holding = await CreatePortfolioAsync(user, "Holding");
        var flat = await CreatePortfolioAsync(user, "Flat");
        await Seed.BuyAsync(factory, holding, "MSFT", 1m, 300m);

        await (await user.Http.DeleteAsync($"/api/v1/portfolios/{holding}", Ct)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/business-rule");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/api/v1/portfolios/{flat}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/api/v1/portfolios/{flat}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Orders_filter_by_status_and_symbol_and_page_with_a_cursor_without_gaps_or_repeats()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Orders");
        var start = new DateTimeOffset(2026, 1, 5, 15, 0, 0, TimeSpan.Zero);
        var seeded = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            seeded.Add(await Seed.OrderAsync(factory, id, i % 2 == 0 ? "AAPL" : "MSFT", start.AddMinutes(i)));
        }

        var pages = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/orders?limit=3" + (cursor is null ? string.Empty : $"&cursor={cursor}"), Ct)).ReadJsonAsync();
            pages.AddRange(page.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        var aapl = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/orders?symbol=aapl&status=pending_new", Ct)).ReadJsonAsync();
        var window = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/orders?from={Uri.EscapeDataString(start.AddMinutes(2).ToString("O"))}&to={Uri.EscapeDataString(start.AddMinutes(4).ToString("O"))}", Ct)).ReadJsonAsync();
        var filled = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/orders?status=filled", Ct)).ReadJsonAsync();

        Assert.Equal(Enumerable.Reverse(seeded), pages);
        Assert.Equal(4, aapl.GetProperty("orders").GetArrayLength());
        Assert.Equal([seeded[3], seeded[2]], window.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
        Assert.Equal(0, filled.GetProperty("orders").GetArrayLength());
        var one = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/orders/{seeded[0]}", Ct)).ReadJsonAsync();
        Assert.Equal("1", one.GetProperty("qty").GetString());
    }

    [Fact]
    public async Task Order_list_parameters_are_validated()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Bad filters");

        var response = await user.Http.GetAsync($"/api/v1/portfolios/{id}/orders?status=done&symbol=not%20a%20symbol&limit=1000&cursor=zzz&from=2026-02-01&to=2026-01-01", Ct);

        await response.AssertValidationProblemAsync("status", "symbol", "limit", "cursor", "from");
    }

    [Fact]
    public async Task Same_idempotency_key_and_body_replays_the_original_and_another_body_is_a_422()
    {
        var user = await factory.CreateUserAsync();
        var key = Guid.NewGuid().ToString();

        var first = await PostWithKeyAsync(user, key, new { name = "Once" });
        var replay = await PostWithKeyAsync(user, key, new { name = "Once" });
        var different = await PostWithKeyAsync(user, key, new { name = "Other" });
        var list = await (await user.Http.GetAsync("/api/v1/portfolios", Ct)).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await replay.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        await different.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/idempotency-key-reused");
        Assert.Equal(1, list.GetArrayLength());
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("two words")]
    [InlineData("cl\u00e9")]
    [InlineData("tab\there")]
    public async Task An_idempotency_key_outside_visible_ascii_is_a_400_and_creates_nothing(string key)
    {
        var user = await factory.CreateUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/portfolios") { Content = JsonContent.Create(new { name = "Keyed" }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await user.Http.SendAsync(request, Ct);
        var list = await (await user.Http.GetAsync("/api/v1/portfolios", Ct)).ReadJsonAsync();

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/validation");
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task Idempotency_keys_are_per_user()
    {
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        var key = Guid.NewGuid().ToString();

        var forAlice = await PostWithKeyAsync(alice, key, new { name = "Shared key" });
        var forBob = await PostWithKeyAsync(bob, key, new { name = "Shared key" });

        Assert.Equal(HttpStatusCode.Created, forAlice.StatusCode);
        Assert.Equal(HttpStatusCode.Created, forBob.StatusCode);
        Assert.NotEqual((await forAlice.ReadJsonAsync()).GetProperty("id").GetGuid(), (await forBob.ReadJsonAsync()).GetProperty("id").GetGuid());
    }

    private async Task<HttpResponseMessage> PostWithKeyAsync(UserClient user, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/portfolios") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await user.Http.SendAsync(request, Ct);
    }

    private static async Task<Guid> CreatePortfolioAsync(UserClient user, string name)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }
}
