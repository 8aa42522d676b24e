using System.Net;
using System.Net.Http.Json;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>Cancelling through the portfolio's brokerage (the simulated exchange, filling against the real MarketData).</summary>
public sealed class OrderCancellationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_resting_limit_order_is_canceled_at_the_exchange_and_a_second_cancel_is_a_409()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var placed = await user.Http.PostAsJsonAsync($"/api/v1/portfolios/{portfolioId}/orders", new { symbol = "AAPL", side = "buy", type = "limit", qty = "3", limit_price = "1.00" }, Ct);
        var order = await placed.ReadJsonAsync();
        Assert.Equal("new", order.GetProperty("status").GetString());
        var orderId = order.GetProperty("id").GetGuid();

        var canceled = await user.Http.PostAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}/cancel", null, Ct);
        var again = await user.Http.PostAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}/cancel", null, Ct);
        var stored = await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}", Ct)).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, canceled.StatusCode);
        var body = await canceled.ReadJsonAsync();
        Assert.Equal("canceled", body.GetProperty("status").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, body.GetProperty("canceled_at").ValueKind);
        Assert.Equal("canceled", stored.GetProperty("status").GetString());
        var problem = await again.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        Assert.Contains("canceled", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_order_is_final_and_cannot_be_canceled()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var orderId = await Seed.OrderAsync(factory, portfolioId, "MSFT", DateTimeOffset.UtcNow);
        await Seed.RejectAsync(factory, orderId, "insufficient buying power");

        var response = await user.Http.PostAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}/cancel", null, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        Assert.Contains("rejected", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stored = await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}", Ct)).ReadJsonAsync();
        Assert.Equal("rejected", stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_order_that_never_reached_the_brokerage_is_a_409_and_stays_pending()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);
        var orderId = await Seed.OrderAsync(factory, portfolioId, "AAPL", DateTimeOffset.UtcNow);

        var response = await user.Http.PostAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}/cancel", null, Ct);

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        var stored = await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}", Ct)).ReadJsonAsync();
        Assert.Equal("pending_new", stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_order_or_one_of_another_portfolio_is_a_404()
    {
        var user = await factory.CreateUserAsync();
        var first = await CreatePortfolioAsync(user);
        var second = await CreatePortfolioAsync(user);
        var orderOfFirst = await Seed.OrderAsync(factory, first, "AAPL", DateTimeOffset.UtcNow);

        var unknown = await user.Http.PostAsync($"/api/v1/portfolios/{first}/orders/{Guid.NewGuid()}/cancel", null, Ct);
        var wrongPortfolio = await user.Http.PostAsync($"/api/v1/portfolios/{second}/orders/{orderOfFirst}/cancel", null, Ct);

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        await wrongPortfolio.AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
    }

    [Fact]
    public async Task Moving_to_a_mode_without_configured_keys_is_a_422()
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = await CreatePortfolioAsync(user);

        var response = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{portfolioId}/trading-mode", new { trading_mode = "paper" }, Ct);

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/business-rule");
        Assert.Equal("simulated", (await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}", Ct)).ReadJsonAsync()).GetProperty("trading_mode").GetString());
    }

    private static async Task<Guid> CreatePortfolioAsync(UserClient user)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = $"P-{Guid.NewGuid():N}" }, Ct);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }
}
