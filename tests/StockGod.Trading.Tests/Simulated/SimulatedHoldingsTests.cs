using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Tests.Persistence;

namespace StockGod.Trading.Tests.Simulated;

/// <summary>Positions and account read together: without the lock when no order is open, after evaluation otherwise.</summary>
public sealed class SimulatedHoldingsTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(SimulatedExchangeHarness Harness, IBrokerageGateway Exchange)> StartAsync()
    {
        var harness = new SimulatedExchangeHarness(database);
        await using var db = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(db, 100_000m);
        harness.Market.Set("AAPL", bid: 99.90m, ask: 100.10m, last: 100m);
        harness.Market.Set("MSFT", bid: 399.90m, ask: 400.10m, last: 400m);
        return (harness, harness.For(portfolio.Id));
    }

    [Fact]
    public async Task An_account_never_used_is_opened_with_the_starting_cash_and_holds_nothing()
    {
        var (_, exchange) = await StartAsync();

        var holdings = await exchange.GetHoldingsAsync(Ct);

        Assert.Empty(holdings.Positions);
        Assert.Equal((100_000m, 100_000m, 100_000m), (holdings.Account.Cash, holdings.Account.BuyingPower, holdings.Account.Equity));
    }

    [Fact]
    public async Task With_no_open_order_holdings_are_the_books_valued_at_current_quotes()
    {
        var (harness, exchange) = await StartAsync();
        await exchange.SubmitOrderAsync(new SubmitOrderRequest("m-1", "MSFT", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 2m), Ct);
        await exchange.SubmitOrderAsync(new SubmitOrderRequest("a-1", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 10m), Ct);
        harness.Market.Set("AAPL", bid: 104.90m, ask: 105.10m, last: 105m);

        var holdings = await exchange.GetHoldingsAsync(Ct);

        Assert.Equal(
            [("AAPL", 10m, 100.10m, 1050m), ("MSFT", 2m, 400.10m, 800m)],
            holdings.Positions.Select(p => (p.Symbol, p.Quantity, p.AverageEntryPrice, p.MarketValue!.Value)));
        var cash = 100_000m - 1001m - 800.20m;
        Assert.Equal((cash, cash, cash + 1850m), (holdings.Account.Cash, holdings.Account.BuyingPower, holdings.Account.Equity));
    }

    [Fact]
    public async Task Read_together_answers_quiet_accounts_as_one_by_one_and_leaves_out_those_with_an_open_order_or_no_account()
    {
        var (harness, quiet) = await StartAsync();
        await quiet.SubmitOrderAsync(new SubmitOrderRequest("q-1", "MSFT", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 3m), Ct);
        await using var db = database.CreateDbContext();
        var resting = await Seed.PortfolioAsync(db, 100_000m);
        await harness.For(resting.Id).SubmitOrderAsync(new SubmitOrderRequest("r-1", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 1m, LimitPrice: 50m), Ct);
        var unused = await Seed.PortfolioAsync(db, 100_000m);
        var quietId = Guid.Parse((await quiet.GetHoldingsAsync(Ct)).Account.AccountId);

        var together = await harness.Factory.ReadHoldingsTogetherAsync(TradingMode.Simulated, [quietId, resting.Id, unused.Id], Ct);
        var alone = await quiet.GetHoldingsAsync(Ct);

        var read = Assert.Single(together);
        Assert.Equal(quietId, read.Key);
        Assert.Equal(alone.Positions, read.Value.Positions);
        Assert.Equal(alone.Account, read.Value.Account);
    }

    [Fact]
    public async Task A_resting_order_that_became_fillable_is_filled_first_and_its_fill_is_in_the_same_read()
    {
        var (harness, exchange) = await StartAsync();
        await exchange.SubmitOrderAsync(new SubmitOrderRequest("rest", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 10m, LimitPrice: 99m), Ct);
        var resting = await exchange.GetHoldingsAsync(Ct);
        harness.Market.Set("AAPL", bid: 98.70m, ask: 98.80m, last: 98.75m);

        var filled = await exchange.GetHoldingsAsync(Ct);

        Assert.Empty(resting.Positions);
        Assert.Equal(100_000m - 990m, resting.Account.BuyingPower); // the open buy holds back its limit value
        var position = Assert.Single(filled.Positions);
        Assert.Equal(("AAPL", 10m, 98.80m), (position.Symbol, position.Quantity, position.AverageEntryPrice));
        Assert.Equal((100_000m - 988m, 100_000m - 988m), (filled.Account.Cash, filled.Account.BuyingPower));
        Assert.Equal(OrderStatus.Filled, Assert.Single(await exchange.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All), Ct)).Status);
    }
}
