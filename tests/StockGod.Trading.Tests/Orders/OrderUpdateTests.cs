using Microsoft.EntityFrameworkCore;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Tests.Persistence;

namespace StockGod.Trading.Tests.Orders;

public sealed class OrderUpdateTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(OrderExecutionHarness Harness, Guid PortfolioId, Order Order)> SavedOrderAsync(decimal quantity = 10m)
    {
        var harness = new OrderExecutionHarness(database);
        await using var db = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(db);
        var order = Order.Create(Guid.CreateVersion7(), portfolio.Id, $"c-{Guid.NewGuid():N}", "MSFT", OrderSide.Buy, OrderType.Market, TimeInForce.Day, quantity, null, null, null, Seed.At);
        db.Orders.Add(order);
        await db.SaveChangesAsync(Ct);
        return (harness, portfolio.Id, order);
    }

    private static BrokerOrder Snapshot(Order order, Guid brokerId, OrderStatus status, decimal filled, decimal? average) =>
        new(brokerId, order.ClientOrderId, order.Symbol, order.Side, order.Type, order.TimeInForce, order.Quantity, null, null, null,
            status, filled, average, Seed.At, Seed.At.AddSeconds(1), Seed.At, status == OrderStatus.Filled ? Seed.At.AddSeconds(1) : null, null, null, null);

    [Fact]
    public async Task Cumulative_partial_fills_are_booked_as_increments_at_the_price_implied_by_the_average()
    {
        var (harness, portfolioId, order) = await SavedOrderAsync();
        var (_, updates, db) = harness.CreateServices();
        await using var _ = db;
        var brokerId = Guid.NewGuid();

        var first = await updates.ApplyAsync(portfolioId, Snapshot(order, brokerId, OrderStatus.PartiallyFilled, 4m, 100m), Ct);
        var second = await updates.ApplyAsync(portfolioId, Snapshot(order, brokerId, OrderStatus.Filled, 10m, 103m), Ct);

        Assert.Equal((4m, 100m), (first!.NewFill!.Quantity, first.NewFill.Price));
        Assert.Equal((6m, 105m), (second!.NewFill!.Quantity, second.NewFill.Price));
        Assert.Equal($"{brokerId}:10", second.NewFill.ExecutionId);
        Assert.Equal(OrderStatus.Filled, second.Order.Status);
        await using var check = database.CreateDbContext();
        var portfolio = await check.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
        Assert.Equal(100_000m - 1030m, portfolio.Cash);
        Assert.Equal(103m, Assert.Single(portfolio.Positions).AverageEntryPrice);
    }

    [Fact]
    public async Task The_same_snapshot_applied_many_times_in_parallel_is_booked_exactly_once()
    {
        var (harness, portfolioId, order) = await SavedOrderAsync();
        var snapshot = Snapshot(order, Guid.NewGuid(), OrderStatus.Filled, 10m, 50m);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var (_, updates, db) = harness.CreateServices();
            await using var context = db;
            return await updates.ApplyAsync(portfolioId, snapshot, Ct);
        }, Ct)));

        Assert.Single(results, r => r!.NewFill is not null);
        await using var check = database.CreateDbContext();
        Assert.Equal(1, await check.Fills.CountAsync(f => f.OrderId == order.Id, Ct));
        Assert.Equal(100_000m - 500m, (await check.Portfolios.SingleAsync(p => p.Id == portfolioId, Ct)).Cash);
    }

    [Fact]
    public async Task Status_only_changes_book_nothing_and_unknown_orders_are_ignored()
    {
        var (harness, portfolioId, order) = await SavedOrderAsync();
        var (_, updates, db) = harness.CreateServices();
        await using var _ = db;
        var brokerId = Guid.NewGuid();

        var accepted = await updates.ApplyAsync(portfolioId, Snapshot(order, brokerId, OrderStatus.New, 0m, null), Ct);
        var canceled = await updates.ApplyAsync(portfolioId, Snapshot(order, brokerId, OrderStatus.Canceled, 0m, null), Ct);
        var stranger = await updates.ApplyAsync(portfolioId, Snapshot(order, Guid.NewGuid(), OrderStatus.New, 0m, null) with { ClientOrderId = "someone-else" }, Ct);

        Assert.Null(accepted!.NewFill);
        Assert.Equal(brokerId, accepted.Order.BrokerOrderId);
        Assert.Equal(OrderStatus.Canceled, canceled!.Order.Status);
        Assert.Null(stranger);
    }
}
