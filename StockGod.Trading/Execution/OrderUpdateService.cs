using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Execution;

/// <summary>What applying one broker snapshot changed: the order as saved and the fill booked, if any.</summary>
public sealed record OrderUpdate(Order Order, Fill? NewFill);

/// <summary>
/// Applies what a broker says about an order: its status, and the quantity filled since we last looked, booked on the
/// portfolio's cash and positions exactly once. Brokers report cumulative fills, so the new part is the difference
/// to what is already booked, and its execution id is derived from the cumulative quantity (nautilus-style): any
/// number of pollers reporting the same snapshot book it once. All of it happens in one transaction holding the
/// portfolio's row lock.
/// </summary>
public sealed class OrderUpdateService(
    TradingDbContext db,
    ICommissionModel commissions,
    TimeProvider timeProvider,
    ILogger<OrderUpdateService> logger)
{
    /// <summary>Applies <paramref name="snapshot"/>; returns null when the order is not one of this portfolio's.</summary>
    public async Task<OrderUpdate?> ApplyAsync(Guid portfolioId, BrokerOrder snapshot, CancellationToken cancellationToken = default) =>
        (await ApplyAsync(portfolioId, [snapshot], cancellationToken))[0];

    /// <summary>
    /// Applies several snapshots of one portfolio's orders in one transaction under one row lock (one read of the
    /// orders, one save): one result per snapshot, in order, null where the order is not one of this portfolio's. The
    /// orders come back with their fills.
    /// </summary>
    public async Task<IReadOnlyList<OrderUpdate?>> ApplyAsync(Guid portfolioId, IReadOnlyList<BrokerOrder> snapshots, CancellationToken cancellationToken = default)
    {
        if (snapshots.Count == 0)
        {
            return [];
        }

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var portfolio = await db.LockPortfolioAsync(portfolioId, cancellationToken)
            ?? throw new PortfolioNotFoundException(portfolioId);
        var brokerIds = snapshots.Select(s => (Guid?)s.OrderId).Distinct().ToList();
        var clientIds = snapshots.Select(s => s.ClientOrderId).Distinct(StringComparer.Ordinal).ToList();
        var orders = await OrdersWithFills.For(db)(db, portfolioId, brokerIds, clientIds).ToListAsync(cancellationToken);

        var now = timeProvider.GetUtcNow();
        var updates = new OrderUpdate?[snapshots.Count];
        for (var i = 0; i < snapshots.Count; i++)
        {
            var snapshot = snapshots[i];
            var order = orders.SingleOrDefault(o => o.BrokerOrderId == snapshot.OrderId || o.ClientOrderId == snapshot.ClientOrderId);
            if (order is null)
            {
                logger.LogWarning("Broker order {BrokerOrderId} ({ClientOrderId}) is not an order of portfolio {PortfolioId}", snapshot.OrderId, snapshot.ClientOrderId, portfolioId);
                continue;
            }

            updates[i] = new OrderUpdate(order, Apply(portfolio, order, snapshot, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var fill in updates.Select(u => u?.NewFill).OfType<Fill>())
        {
            logger.LogInformation(
                "Booked fill {ExecutionId}: {Side} {Quantity} {Symbol} at {Price} for portfolio {PortfolioId}",
                fill.ExecutionId, fill.Side, fill.Quantity, fill.Symbol, fill.Price, portfolioId);
        }

        return updates;
    }

    // Compiled once: every fill (every order of the Api's POST) runs it.
    private static readonly CompiledQueryPerModel<Func<TradingDbContext, Guid, List<Guid?>, List<string>, IAsyncEnumerable<Order>>> OrdersWithFills = new(() =>
        EF.CompileAsyncQuery((TradingDbContext db, Guid portfolioId, List<Guid?> brokerIds, List<string> clientIds) =>
            db.Orders.Include(o => o.Fills)
                .Where(o => o.PortfolioId == portfolioId && (brokerIds.Contains(o.BrokerOrderId) || clientIds.Contains(o.ClientOrderId)))));

    /// <summary>Books the quantity filled since we last looked (if any) and takes the broker's status.</summary>
    private Fill? Apply(Portfolio portfolio, Order order, BrokerOrder snapshot, DateTimeOffset now)
    {
        Fill? fill = null;
        var newQuantity = snapshot.FilledQuantity - order.FilledQuantity;
        if (newQuantity > 0)
        {
            var price = PriceOfNewFill(order, snapshot, newQuantity);
            var commission = commissions.CommissionFor(order.Side, newQuantity, price);
            var executedAt = snapshot.FilledAt ?? snapshot.UpdatedAt ?? now;
            var booked = portfolio.ApplyFill(Guid.CreateVersion7(now), order.Symbol, order.Side, newQuantity, price, commission, executedAt);
            fill = order.RecordFill(
                Guid.CreateVersion7(now), Fill.ExecutionIdFor(snapshot.OrderId, snapshot.FilledQuantity), newQuantity, price, commission, booked.RealizedProfitLoss, executedAt);
        }
        else if (newQuantity < 0)
        {
            logger.LogWarning(
                "Broker reports {BrokerFilled} filled for order {ClientOrderId} but {Booked} is booked; keeping what is booked",
                snapshot.FilledQuantity, order.ClientOrderId, order.FilledQuantity);
        }

        order.ApplyBrokerSnapshot(snapshot, now);
        return fill;
    }

    /// <summary>
    /// The price of the newly filled part, from the broker's cumulative average: (avg × cum − booked avg × booked) / new.
    /// </summary>
    private static decimal PriceOfNewFill(Order order, BrokerOrder snapshot, decimal newQuantity)
    {
        var average = snapshot.AverageFillPrice
            ?? throw new InvalidOperationException($"Broker order {snapshot.OrderId} reports {snapshot.FilledQuantity} filled without an average fill price.");
        if (order.FilledQuantity == 0 || order.AverageFillPrice is not { } bookedAverage)
        {
            return average;
        }

        var price = DecimalRounding.Price(((average * snapshot.FilledQuantity) - (bookedAverage * order.FilledQuantity)) / newQuantity);
        return price > 0 ? price : average;
    }
}
