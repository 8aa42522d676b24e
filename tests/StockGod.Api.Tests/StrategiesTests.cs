using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Testing.MarketData;
using StockGod.Trading.Market;

namespace StockGod.Api.Tests;

public sealed class StrategiesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_get_list_update_enable_disable_and_delete()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var created = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new
        {
            name = "Trend",
            type = "sma_crossover",
            parameters = new { fastPeriod = 5, slowPeriod = 20 },
            symbols = new[] { "msft", "AAPL", "MSFT" },
        }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var strategy = await created.ReadJsonAsync();
        var id = strategy.GetProperty("id").GetGuid();
        Assert.Equal($"{StrategiesPath(portfolioId)}/{id}", created.Headers.Location!.ToString());
        Assert.Equal(["AAPL", "MSFT"], strategy.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.Equal(5, strategy.GetProperty("parameters").GetProperty("fastPeriod").GetInt32());
        Assert.False(strategy.GetProperty("enabled").GetBoolean());
        Assert.Equal("0.1", strategy.GetProperty("risk_limits").GetProperty("max_position_fraction").GetString());

        var updated = await (await user.Http.PatchAsJsonAsync($"{StrategiesPath(portfolioId)}/{id}", new
        {
            parameters = new { fastPeriod = 8, slowPeriod = 21 },
            symbols = new[] { "KO" },
            risk_limits = new { max_order_value = "2500" },
        }, Ct)).ReadJsonAsync();
        Assert.Equal(8, updated.GetProperty("parameters").GetProperty("fastPeriod").GetInt32());
        Assert.Equal(["KO"], updated.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.Equal("2500", updated.GetProperty("risk_limits").GetProperty("max_order_value").GetString());
        Assert.Equal("0.1", updated.GetProperty("risk_limits").GetProperty("max_position_fraction").GetString());

        var enabled = await (await user.Http.PostAsync($"{StrategiesPath(portfolioId)}/{id}/enable", null, Ct)).ReadJsonAsync();
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        var disabled = await (await user.Http.PostAsync($"{StrategiesPath(portfolioId)}/{id}/disable", null, Ct)).ReadJsonAsync();
        Assert.False(disabled.GetProperty("enabled").GetBoolean());

        var list = await (await user.Http.GetAsync(StrategiesPath(portfolioId), Ct)).ReadJsonAsync();
        Assert.Equal([id], list.EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToArray());
        var one = await (await user.Http.GetAsync($"{StrategiesPath(portfolioId)}/{id}", Ct)).ReadJsonAsync();
        Assert.Equal(21, one.GetProperty("parameters").GetProperty("slowPeriod").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"{StrategiesPath(portfolioId)}/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"{StrategiesPath(portfolioId)}/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Structure_type_and_parameters_are_validated_per_field()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);

        var shape = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new
        {
            name = "",
            type = "sma_crossover",
            parameters = new[] { 1 },
            symbols = new[] { "AAPL", "not a symbol" },
            risk_limits = new { max_position_fraction = "1.5", cash_buffer_fraction = "1", max_open_positions = 0 },
        }, Ct);
        var unknownType = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new { name = "x", type = "astrology", symbols = new[] { "AAPL" } }, Ct);
        var badParameters = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new
        {
            name = "x",
            type = "sma_crossover",
            parameters = new { fastPeriod = 50, slowPeriod = 20 },
            symbols = new[] { "AAPL" },
        }, Ct);
        var unknownParameter = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new
        {
            name = "x",
            type = "rsi_mean_reversion",
            parameters = new { period = 14, leverage = 10 },
            symbols = new[] { "AAPL" },
        }, Ct);
        var noSymbols = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new { name = "x", type = "sma_crossover", symbols = Array.Empty<string>() }, Ct);

        await shape.AssertValidationProblemAsync(
            "name", "parameters", "symbols[1]", "risk_limits.max_position_fraction", "risk_limits.cash_buffer_fraction", "risk_limits.max_open_positions");
        await unknownType.AssertValidationProblemAsync("type");
        await badParameters.AssertValidationProblemAsync("parameters.fastPeriod");
        var unknown = await unknownParameter.AssertValidationProblemAsync();
        Assert.Contains(unknown.EnumerateObject(), e => e.Name.StartsWith("parameters", StringComparison.Ordinal));
        await noSymbols.AssertValidationProblemAsync("symbols");
        Assert.Equal(0, (await (await user.Http.GetAsync(StrategiesPath(portfolioId), Ct)).ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task An_update_is_validated_against_the_strategy_and_a_duplicate_name_is_a_409()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var id = await CreateStrategyAsync(user, portfolioId, "Same");

        var update = await user.Http.PatchAsJsonAsync($"{StrategiesPath(portfolioId)}/{id}", new { parameters = new { fastPeriod = 1 } }, Ct);
        var duplicate = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new { name = "Same", type = "sma_crossover", symbols = new[] { "AAPL" } }, Ct);

        await update.AssertValidationProblemAsync("parameters.fastPeriod");
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        var stored = await (await user.Http.GetAsync($"{StrategiesPath(portfolioId)}/{id}", Ct)).ReadJsonAsync();
        Assert.False(stored.GetProperty("parameters").TryGetProperty("fastPeriod", out _));
    }

    [Fact]
    public async Task Same_idempotency_key_and_body_replays_the_strategy_and_another_body_is_a_422()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var key = Guid.NewGuid().ToString();
        var body = new { name = "Once", type = "sma_crossover", symbols = new[] { "AAPL" } };

        var first = await PostWithKeyAsync(user, StrategiesPath(portfolioId), key, body);
        var replay = await PostWithKeyAsync(user, StrategiesPath(portfolioId), key, body);
        var other = await PostWithKeyAsync(user, StrategiesPath(portfolioId), key, new { name = "Twice", type = "sma_crossover", symbols = new[] { "AAPL" } });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await replay.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/idempotency-key-reused");
        Assert.Equal(1, (await (await user.Http.GetAsync(StrategiesPath(portfolioId), Ct)).ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Evaluate_returns_the_momentum_leaders_as_buys_sized_by_the_risk_limits_without_trading()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        string[] universe = ["AAPL", "IBM", "KO", "MSFT", "NVDA", "XYZQ"];
        var created = await (await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new
        {
            name = "Momentum",
            type = "momentum_rotation",
            parameters = new { lookbackDays = 20, topN = 2, rebalance = "Daily" },
            symbols = universe,
            risk_limits = new { max_position_fraction = "0.1", max_order_value = "5000", cash_buffer_fraction = "0.05", max_open_positions = 5 },
        }, Ct)).ReadJsonAsync();

        var response = await user.Http.PostAsync($"{StrategiesPath(portfolioId)}/{created.GetProperty("id").GetGuid()}/evaluate", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var signals = (await response.ReadJsonAsync()).GetProperty("signals").EnumerateArray().ToDictionary(s => s.GetProperty("symbol").GetString()!);
        Assert.Equal(universe.Order(StringComparer.Ordinal), signals.Keys.Order(StringComparer.Ordinal));

        // By hand from the same market: 20-session returns of the completed daily bars, the top two positive ones.
        var market = factory.Services.GetRequiredService<IMarketDataSource>();
        var bars = await market.GetBarsAsync(universe, BarTimeframe.Day1, MarketDataTestHost.MarketOpen.AddDays(-60), MarketDataTestHost.MarketOpen, Ct);
        var quotes = await market.GetQuotesAsync(universe, Ct);
        var returns = bars.Where(b => b.Value.Count > 20).ToDictionary(b => b.Key, b => (b.Value[^1].Close / b.Value[^21].Close) - 1m);
        var leaders = returns.Where(r => r.Value > 0m).OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Take(2).Select(r => r.Key).ToList();
        Assert.NotEmpty(leaders);

        foreach (var symbol in universe)
        {
            var signal = signals[symbol];
            if (leaders.Contains(symbol))
            {
                // Each buy is capped by max_order_value (5000 < 10 % of 100000 equity): floor(5000 / last price) shares.
                var price = quotes[symbol].LastPrice;
                Assert.Equal("buy", signal.GetProperty("action").GetString());
                Assert.Equal(price, decimal.Parse(signal.GetProperty("price").GetString()!, CultureInfo.InvariantCulture));
                Assert.Equal("buy", signal.GetProperty("order").GetProperty("side").GetString());
                Assert.Equal(decimal.Floor(5000m / price), decimal.Parse(signal.GetProperty("order").GetProperty("qty").GetString()!, CultureInfo.InvariantCulture));
            }
            else
            {
                Assert.Equal("hold", signal.GetProperty("action").GetString());
                Assert.Equal(JsonValueKind.Null, signal.GetProperty("order").ValueKind);
            }
        }

        Assert.Contains("needs 21 completed bars, has 0", signals["XYZQ"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        var orders = await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders", Ct)).ReadJsonAsync();
        Assert.Equal(0, orders.GetProperty("orders").GetArrayLength());
        Assert.Equal("100000", (await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}", Ct)).ReadJsonAsync()).GetProperty("cash").GetString());
    }

    [Fact]
    public async Task Evaluate_sees_holdings_a_held_leader_is_not_bought_again()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        string[] universe = ["AAPL", "IBM", "KO", "MSFT", "NVDA"];
        var id = (await (await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new
        {
            name = "Momentum",
            type = "momentum_rotation",
            parameters = new { lookbackDays = 20, topN = 5, rebalance = "Daily" },
            symbols = universe,
        }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        var first = (await (await user.Http.PostAsync($"{StrategiesPath(portfolioId)}/{id}/evaluate", null, Ct)).ReadJsonAsync()).GetProperty("signals")
            .EnumerateArray().First(s => s.GetProperty("action").GetString() == "buy").GetProperty("symbol").GetString()!;
        await Seed.BuyAsync(factory, portfolioId, first, 1m, 100m);

        var again = (await (await user.Http.PostAsync($"{StrategiesPath(portfolioId)}/{id}/evaluate", null, Ct)).ReadJsonAsync()).GetProperty("signals")
            .EnumerateArray().Single(s => s.GetProperty("symbol").GetString() == first);

        Assert.Equal("hold", again.GetProperty("action").GetString());
        Assert.Contains("already held", again.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private static string StrategiesPath(Guid portfolioId) => $"/api/v1/portfolios/{portfolioId}/strategies";

    private static async Task<Guid> CreateStrategyAsync(UserClient user, Guid portfolioId, string name)
    {
        var response = await user.Http.PostAsJsonAsync(StrategiesPath(portfolioId), new { name, type = "sma_crossover", symbols = new[] { "AAPL" } }, Ct);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> CreatePortfolioAsync(UserClient user)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = $"P-{Guid.NewGuid():N}" }, Ct);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(UserClient user, string path, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await user.Http.SendAsync(request, Ct);
    }
}
