using Microsoft.EntityFrameworkCore;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Execution;
using StockGod.Trading.Tests.Persistence;

namespace StockGod.Trading.Tests.Orders;

public sealed class OrderPlacementTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(OrderExecutionHarness Harness, Guid PortfolioId)> StartAsync(decimal cash = 100_000m)
    {
        var harness = new OrderExecutionHarness(database);
        harness.Exchange.Market.Set("AAPL", bid: 99.90m, ask: 100.10m, last: 100m);
        await using var db = database.CreateDbContext();
        return (harness, (await Seed.PortfolioAsync(db, cash)).Id);
    }

    private static PlaceOrder Buy(Guid portfolioId, decimal quantity, string? clientOrderId = null) =>
        new(portfolioId, "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, quantity, ClientOrderId: clientOrderId);

    private async Task<Portfolio> PortfolioAsync(Guid id)
    {
        await using var db = database.CreateDbContext();
        return await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == id, Ct);
    }

    [Fact]
    public async Task A_market_order_is_saved_sent_filled_and_booked_on_the_portfolio()
    {
        var (harness, portfolioId) = await StartAsync();
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        var placed = await placement.PlaceAsync(Buy(portfolioId, 10m), Ct);

        Assert.False(placed.AlreadyExisted);
        Assert.Equal(OrderStatus.Filled, placed.Order.Status);
        Assert.NotNull(placed.Order.BrokerOrderId);
        Assert.StartsWith("sg-", placed.Order.ClientOrderId, StringComparison.Ordinal);
        var fill = Assert.Single(placed.Order.Fills);
        Assert.Equal((10m, 100.10m), (fill.Quantity, fill.Price));
        Assert.Equal(Fill.ExecutionIdFor(placed.Order.BrokerOrderId!.Value, 10m), fill.ExecutionId);
        var portfolio = await PortfolioAsync(portfolioId);
        Assert.Equal(100_000m - 1001m, portfolio.Cash);
        Assert.Equal(10m, Assert.Single(portfolio.Positions).Quantity);
    }

    [Fact]
    public async Task The_order_is_in_the_database_as_pending_new_before_the_broker_sees_it()
    {
        var (harness, portfolioId) = await StartAsync();
        OrderStatus? statusWhenSent = null;
        harness.Wrap = inner => new FlakyGateway(inner)
        {
            BeforeSubmit = async request =>
            {
                await using var db = database.CreateDbContext();
                statusWhenSent = (await db.Orders.SingleAsync(o => o.ClientOrderId == request.ClientOrderId, Ct)).Status;
            },
        };
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        await placement.PlaceAsync(Buy(portfolioId, 1m, "saved-first"), Ct);

        Assert.Equal(OrderStatus.PendingNew, statusWhenSent);
    }

    [Fact]
    public async Task A_timeout_after_the_broker_accepted_is_resolved_by_lookup_without_sending_twice()
    {
        var (harness, portfolioId) = await StartAsync();
        FlakyGateway? flaky = null;
        harness.Wrap = inner => flaky = new FlakyGateway(inner) { FailSubmitAfterForwarding = true };
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        var placed = await placement.PlaceAsync(Buy(portfolioId, 3m), Ct);

        Assert.Equal(1, flaky!.Submits);
        Assert.Equal(OrderStatus.Filled, placed.Order.Status);
        Assert.Single(await harness.Exchange.For(portfolioId).ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All), Ct));
        Assert.Equal(3m, Assert.Single((await PortfolioAsync(portfolioId)).Positions).Quantity);
    }

    [Fact]
    public async Task When_the_broker_cannot_be_reached_the_order_stays_pending_new_and_resume_finishes_it()
    {
        var (harness, portfolioId) = await StartAsync();
        harness.Wrap = inner => new FlakyGateway(inner) { FailSubmitBeforeForwarding = true, FailLookups = true };
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        var placed = await placement.PlaceAsync(Buy(portfolioId, 2m), Ct);
        Assert.Equal(OrderStatus.PendingNew, placed.Order.Status);
        Assert.Equal(100_000m, (await PortfolioAsync(portfolioId)).Cash);

        harness.Wrap = inner => inner;
        var resumed = await placement.ResumeAsync(placed.Order.Id, Ct);

        Assert.Equal(OrderStatus.Filled, resumed.Status);
        Assert.Equal(100_000m - 200.20m, (await PortfolioAsync(portfolioId)).Cash);
    }

    [Fact]
    public async Task A_broker_refusal_is_recorded_on_the_order_with_its_reason()
    {
        var (harness, portfolioId) = await StartAsync(cash: 500m);
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        var placed = await placement.PlaceAsync(Buy(portfolioId, 10m), Ct);

        Assert.Equal(OrderStatus.Rejected, placed.Order.Status);
        Assert.Contains("insufficient buying power", placed.Order.RejectReason, StringComparison.Ordinal);
        Assert.NotNull(placed.Order.FailedAt);
        Assert.Equal(500m, (await PortfolioAsync(portfolioId)).Cash);
    }

    [Fact]
    public async Task Placing_with_a_known_client_order_id_returns_the_existing_order_and_a_different_order_is_a_conflict()
    {
        var (harness, portfolioId) = await StartAsync();
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        var first = await placement.PlaceAsync(Buy(portfolioId, 1m, "idem-1"), Ct);
        var again = await placement.PlaceAsync(Buy(portfolioId, 1m, "idem-1"), Ct);

        Assert.True(again.AlreadyExisted);
        Assert.Equal(first.Order.Id, again.Order.Id);
        await Assert.ThrowsAsync<ClientOrderIdConflictException>(() => placement.PlaceAsync(Buy(portfolioId, 2m, "idem-1"), Ct));
        Assert.Equal(1m, Assert.Single((await PortfolioAsync(portfolioId)).Positions).Quantity);
    }

    [Fact]
    public async Task Selling_more_than_held_or_committed_is_refused_before_anything_is_saved()
    {
        var (harness, portfolioId) = await StartAsync();
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;
        await placement.PlaceAsync(Buy(portfolioId, 5m), Ct);
        await placement.PlaceAsync(new PlaceOrder(portfolioId, "AAPL", OrderSide.Sell, OrderType.Limit, TimeInForce.Gtc, 3m, LimitPrice: 500m), Ct);

        var error = await Assert.ThrowsAsync<InsufficientPositionException>(() =>
            placement.PlaceAsync(new PlaceOrder(portfolioId, "AAPL", OrderSide.Sell, OrderType.Market, TimeInForce.Day, 3m), Ct));

        Assert.Equal(2m, error.Available);
        await using var check = database.CreateDbContext();
        Assert.Equal(2, await check.Orders.CountAsync(o => o.PortfolioId == portfolioId, Ct));
    }

    [Fact]
    public async Task With_an_owner_someone_elses_portfolio_is_refused_as_unknown_before_anything_is_saved_or_sent()
    {
        var harness = new OrderExecutionHarness(database);
        harness.Exchange.Market.Set("AAPL", bid: 99.90m, ask: 100.10m, last: 100m);
        await using var seedDb = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(seedDb);
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;
        var stranger = Guid.CreateVersion7();

        await Assert.ThrowsAsync<PortfolioNotFoundException>(() => placement.PlaceAsync(Buy(portfolio.Id, 1m, "not-yours") with { OwnerUserId = stranger }, Ct));
        // An order that is invalid in itself is still "unknown portfolio" for a stranger, and the owner's refusal.
        await Assert.ThrowsAsync<PortfolioNotFoundException>(() => placement.PlaceAsync(Buy(portfolio.Id, 0m) with { OwnerUserId = stranger }, Ct));
        var invalid = await Assert.ThrowsAnyAsync<DomainException>(() => placement.PlaceAsync(Buy(portfolio.Id, 0m) with { OwnerUserId = portfolio.OwnerUserId }, Ct));
        var placed = await placement.PlaceAsync(Buy(portfolio.Id, 1m, "not-yours") with { OwnerUserId = portfolio.OwnerUserId }, Ct);

        Assert.IsNotType<PortfolioNotFoundException>(invalid);
        Assert.False(placed.AlreadyExisted); // the stranger's attempt saved nothing under that client_order_id
        Assert.Equal(OrderStatus.Filled, placed.Order.Status);
        await using var check = database.CreateDbContext();
        Assert.Equal(1, await check.Orders.CountAsync(o => o.PortfolioId == portfolio.Id, Ct));
        Assert.Single(await harness.Exchange.For(portfolio.Id).ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All), Ct));
    }

    [Fact]
    public async Task Live_portfolios_trade_only_when_live_trading_was_enabled()
    {
        var harness = new OrderExecutionHarness(database);
        await using var db = database.CreateDbContext();
        var live = await Seed.PortfolioAsync(db, mode: TradingMode.Live);
        var (placement, _, servicesDb) = harness.CreateServices();
        await using var _ = servicesDb;

        var error = await Assert.ThrowsAsync<DomainException>(() => placement.PlaceAsync(Buy(live.Id, 1m), Ct));

        Assert.Contains("Live trading is not enabled", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PortfolioNotFoundException>(() => placement.PlaceAsync(Buy(Guid.NewGuid(), 1m), Ct));
    }
}
