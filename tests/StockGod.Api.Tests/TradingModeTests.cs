using System.Net;
using System.Net.Http.Json;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>The Api with Alpaca paper and live keys configured (never contacted: changing mode sends nothing to a broker).</summary>
public sealed class AlpacaKeysApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Alpaca:Paper:KeyId"] = "PKTEST",
        ["Alpaca:Paper:SecretKey"] = "paper-secret",
        ["Alpaca:Paper:BaseUrl"] = "http://127.0.0.1:1/",
        ["Alpaca:Live:KeyId"] = "AKTEST",
        ["Alpaca:Live:SecretKey"] = "live-secret",
        ["Alpaca:Live:BaseUrl"] = "http://127.0.0.1:1/",
    };
}

public sealed class TradingModeTests(AlpacaKeysApiFactory factory) : IClassFixture<AlpacaKeysApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_flat_portfolio_moves_between_modes_and_live_needs_confirmation_and_starts_switched_off()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user);

        var paper = await ChangeAsync(user, id, new { trading_mode = "paper" });
        var unconfirmed = await ChangeAsync(user, id, new { trading_mode = "live" });
        var live = await ChangeAsync(user, id, new { trading_mode = "live", confirm_live = true });
        var back = await ChangeAsync(user, id, new { trading_mode = "simulated" });

        Assert.Equal("paper", (await paper.ReadJsonAsync()).GetProperty("trading_mode").GetString());
        await unconfirmed.AssertValidationProblemAsync("confirm_live");
        var liveBody = await live.ReadJsonAsync();
        Assert.Equal("live", liveBody.GetProperty("trading_mode").GetString());
        Assert.False(liveBody.GetProperty("live_trading_enabled").GetBoolean());
        Assert.Equal("simulated", (await back.ReadJsonAsync()).GetProperty("trading_mode").GetString());
    }

    [Fact]
    public async Task Leaving_live_switches_live_trading_off()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user);
        await ChangeAsync(user, id, new { trading_mode = "live", confirm_live = true });
        var on = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{id}/live-trading", new { enabled = true, confirm = true }, Ct);
        Assert.True((await on.ReadJsonAsync()).GetProperty("live_trading_enabled").GetBoolean());

        var paper = await (await ChangeAsync(user, id, new { trading_mode = "paper" })).ReadJsonAsync();

        Assert.Equal("paper", paper.GetProperty("trading_mode").GetString());
        Assert.False(paper.GetProperty("live_trading_enabled").GetBoolean());
    }

    [Fact]
    public async Task Positions_or_open_orders_keep_the_portfolio_in_its_mode()
    {
        var user = await factory.CreateUserAsync();
        var holding = await CreatePortfolioAsync(user);
        var ordering = await CreatePortfolioAsync(user);
        await Seed.BuyAsync(factory, holding, "AAPL", 1m, 100m);
        await Seed.OrderAsync(factory, ordering, "AAPL", DateTimeOffset.UtcNow);

        var withPositions = await ChangeAsync(user, holding, new { trading_mode = "paper" });
        var withOrders = await ChangeAsync(user, ordering, new { trading_mode = "paper" });

        Assert.Contains("positions", (await withPositions.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/business-rule")).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("open orders", (await withOrders.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/business-rule")).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("simulated", (await (await user.Http.GetAsync($"/api/v1/portfolios/{ordering}", Ct)).ReadJsonAsync()).GetProperty("trading_mode").GetString());
    }

    [Fact]
    public async Task The_mode_is_required_and_must_be_known()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user);

        var missing = await ChangeAsync(user, id, new { confirm_live = true });
        var unknown = await ChangeAsync(user, id, new { trading_mode = "margin" });

        await missing.AssertValidationProblemAsync("trading_mode");
        await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request");
    }

    private static Task<HttpResponseMessage> ChangeAsync(UserClient user, Guid id, object body) =>
        user.Http.PutAsJsonAsync($"/api/v1/portfolios/{id}/trading-mode", body, Ct);

    private static async Task<Guid> CreatePortfolioAsync(UserClient user)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = $"P-{Guid.NewGuid():N}" }, Ct);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }
}
