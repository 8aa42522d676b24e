using System.Runtime.ExceptionServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Execution;

/// <summary>The placed order as saved, and whether the client_order_id named an order that already existed.</summary>
public sealed record OrderPlacement(Order Order, bool AlreadyExisted);

/// <summary>
/// The outcome of one order of a batch: placed (<see cref="Order"/> as recorded after the broker's answer, or the
/// order that already had its client_order_id when <see cref="AlreadyExisted"/>), or refused before anything was saved
/// or sent (<see cref="Refusal"/>: live trading off, selling more than held, invalid order, client_order_id conflict).
/// </summary>
public sealed record OrderBatchResult(PlaceOrder Command, Order? Order, bool AlreadyExisted, DomainException? Refusal);

/// <summary>
/// Places orders for the Api and the Scheduler alike: validates, saves the order in pending_new with its
/// client_order_id BEFORE anything is sent, sends it through the portfolio's gateway and records the answer (fills
/// included, through <see cref="OrderUpdateService"/>). A timeout or 5xx is answered by looking the order up by its
/// client_order_id, never by sending blindly again; a refusal is recorded on the order with the broker's reason.
/// Several orders of one portfolio go as one batch: one transaction saves them all before any is sent, the gateway
/// takes them in one call, one transaction records every answer, so an order costs a fraction of a round trip.
/// </summary>
public sealed partial class OrderPlacementService(
    TradingDbContext db,
    IBrokerageGatewayFactory gateways,
    OrderUpdateService updates,
    TimeProvider timeProvider,
    ILogger<OrderPlacementService> logger)
{
    /// <summary>
    /// Places the order. Business-rule refusals before anything is saved (unknown portfolio, live trading off, selling
    /// more than held, invalid order) throw <see cref="DomainException"/>s; broker refusals come back as a rejected order.
    /// </summary>
    public async Task<OrderPlacement> PlaceAsync(PlaceOrder command, CancellationToken cancellationToken = default)
    {
        var result = (await PlaceBatchAsync(command.PortfolioId, [command], cancellationToken))[0];
        if (result.Refusal is { } refusal)
        {
            ExceptionDispatchInfo.Throw(refusal);
        }

        return new OrderPlacement(result.Order!, result.AlreadyExisted);
    }

    /// <summary>
    /// Places several orders of one portfolio, in the given order: every one that passes the checks is saved with its
    /// client_order_id in one transaction before any is sent, then they are sent in one gateway call, then every
    /// answer is recorded in one transaction. One result per command, in order; a refusal of one (before sending or
    /// by the broker) does not stop the others. An unknown portfolio throws <see cref="PortfolioNotFoundException"/>.
    /// </summary>
    public async Task<IReadOnlyList<OrderBatchResult>> PlaceBatchAsync(Guid portfolioId, IReadOnlyList<PlaceOrder> commands, CancellationToken cancellationToken = default)
    {
        if (commands.Any(c => c.PortfolioId != portfolioId) || commands.Select(c => c.OwnerUserId).Distinct().Count() > 1)
        {
            throw new ArgumentException("A batch places the orders of one portfolio, for one owner.", nameof(commands));
        }

        var (results, saved, mode) = await SaveNewOrdersAsync(portfolioId, commands, cancellationToken);
        if (saved.Count > 0)
        {
            var sent = await SendAsync(gateways.For(portfolioId, mode), portfolioId, [.. saved.Select(i => results[i].Order!)], cancellationToken);
            for (var j = 0; j < saved.Count; j++)
            {
                results[saved[j]] = results[saved[j]] with { Order = sent[j] };
            }
        }

        return results;
    }

    /// <summary>
    /// Sends an order that was saved but whose sending never completed (the process stopped, the broker timed out twice):
    /// first asks the broker whether it has the client_order_id, and sends only if it does not.
    /// </summary>
    public async Task<Order> ResumeAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        db.ChangeTracker.Clear();
        var order = await db.Orders.AsNoTracking().Include(o => o.Fills).SingleAsync(o => o.Id == orderId, cancellationToken);
        if (order.Status != OrderStatus.PendingNew)
        {
            return order;
        }

        var mode = await db.Portfolios.Where(p => p.Id == order.PortfolioId).Select(p => p.TradingMode).SingleAsync(cancellationToken);
        var gateway = gateways.For(order.PortfolioId, mode);
        if (await TryFindAsync(gateway, order, cancellationToken) is { } snapshot)
        {
            return (await updates.ApplyAsync(order.PortfolioId, snapshot, cancellationToken))?.Order ?? order;
        }

        return (await SendAsync(gateway, order.PortfolioId, [order], cancellationToken))[0];
    }

    /// <summary>
    /// Saves the new orders in one transaction under the portfolio's row lock. Answers the results so far (refusals
    /// and orders that already existed are final), the indexes of the orders saved for sending, and the trading mode.
    /// </summary>
    private async Task<(OrderBatchResult[] Results, List<int> Saved, TradingMode Mode)> SaveNewOrdersAsync(
        Guid portfolioId, IReadOnlyList<PlaceOrder> commands, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var now = timeProvider.GetUtcNow();
        var results = new OrderBatchResult[commands.Count];
        var orders = new Order?[commands.Count];
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var clientOrderId = string.IsNullOrWhiteSpace(command.ClientOrderId) ? NewClientOrderId(now) : command.ClientOrderId.Trim();
            try
            {
                orders[i] = Order.Create(
                    Guid.CreateVersion7(now), command.PortfolioId, clientOrderId, command.Symbol, command.Side, command.Type, command.TimeInForce,
                    command.Quantity, command.Notional, command.LimitPrice, command.StopPrice, now, command.StrategyId, command.SignalId);
            }
            catch (DomainException invalid)
            {
                results[i] = new OrderBatchResult(command, null, false, invalid);
            }
        }

        var saved = new List<int>();
        var candidates = orders.OfType<Order>().ToList();
        var owner = commands[0].OwnerUserId;
        if (candidates.Count == 0)
        {
            // Nothing to save, but someone else's portfolio still answers as unknown rather than with the refusal.
            if (owner is { } ownerId && !await db.Portfolios.AnyAsync(p => p.Id == portfolioId && p.OwnerUserId == ownerId, cancellationToken))
            {
                throw new PortfolioNotFoundException(portfolioId);
            }

            return (results, saved, default);
        }

        // One round trip per statement here is most of an order's cost: no savepoint around the one SaveChanges (a
        // failure rolls the whole transaction back anyway); only sells need the positions (buys need the lock and the
        // portfolio's own columns, one round trip, which also answer the owner check); and client_order_ids generated
        // just now (UUIDv7) cannot exist yet, so only the caller's own ones are looked up.
        await using var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var portfolio = candidates.Any(o => o.Side == OrderSide.Sell)
            ? await db.LockPortfolioAsync(portfolioId, cancellationToken)
            : await db.LockPortfolioRowAsync(portfolioId, cancellationToken);
        if (portfolio is null || (owner is { } expectedOwner && portfolio.OwnerUserId != expectedOwner))
        {
            throw new PortfolioNotFoundException(portfolioId);
        }

        var clientOrderIds = commands.Select(c => c.ClientOrderId).Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id!.Trim())
            .Distinct(StringComparer.Ordinal).ToList();
        var existing = clientOrderIds.Count == 0
            ? new Dictionary<string, Order>(StringComparer.Ordinal)
            : await db.Orders.AsNoTracking().Include(o => o.Fills)
                .Where(o => o.PortfolioId == portfolioId && clientOrderIds.Contains(o.ClientOrderId))
                .ToDictionaryAsync(o => o.ClientOrderId, StringComparer.Ordinal, cancellationToken);

        // Under the row lock, so two sells racing for the same shares cannot both pass; the batch's own sells count too.
        var sellSymbols = candidates.Where(o => o is { Side: OrderSide.Sell, Quantity: not null }).Select(o => o.Symbol).Distinct(StringComparer.Ordinal).ToList();
        var openSells = sellSymbols.Count == 0
            ? new Dictionary<string, decimal>(StringComparer.Ordinal)
            : await db.Orders
                .Where(o => o.PortfolioId == portfolioId && sellSymbols.Contains(o.Symbol) && o.Side == OrderSide.Sell && OrderStatusExtensions.OpenStatuses.Contains(o.Status))
                .GroupBy(o => o.Symbol)
                .Select(g => new { Symbol = g.Key, Open = g.Sum(o => (o.Quantity ?? 0m) - o.FilledQuantity) })
                .ToDictionaryAsync(g => g.Symbol, g => g.Open, StringComparer.Ordinal, cancellationToken);

        for (var i = 0; i < commands.Count; i++)
        {
            if (orders[i] is not { } order)
            {
                continue;
            }

            try
            {
                if (existing.TryGetValue(order.ClientOrderId, out var earlier))
                {
                    results[i] = new OrderBatchResult(commands[i], SameOrder(earlier, order), AlreadyExisted: true, null);
                    continue;
                }

                if (!portfolio.CanTrade)
                {
                    throw new DomainException($"Live trading is not enabled for portfolio {portfolio.Id}.");
                }

                if (order is { Side: OrderSide.Sell, Quantity: { } quantity })
                {
                    var committed = openSells.GetValueOrDefault(order.Symbol);
                    portfolio.EnsureCanSell(order.Symbol, quantity, committed);
                    openSells[order.Symbol] = committed + quantity;
                }
            }
            catch (DomainException refused)
            {
                results[i] = new OrderBatchResult(commands[i], null, false, refused);
                continue;
            }

            db.Orders.Add(order);
            existing[order.ClientOrderId] = order; // the same id twice in one batch is one order
            results[i] = new OrderBatchResult(commands[i], order, false, null);
            saved.Add(i);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var order in saved.Select(i => results[i].Order!))
        {
            LogSaved(order.ClientOrderId, order.Side, order.Symbol, order.PortfolioId);
        }

        return (results, saved, portfolio.TradingMode);
    }

    /// <summary>The order that already has the client_order_id, when it is the same order; a different one is a conflict.</summary>
    private static Order SameOrder(Order existing, Order order)
    {
        var same = existing.Symbol == order.Symbol && existing.Side == order.Side && existing.Type == order.Type
            && existing.TimeInForce == order.TimeInForce && existing.LimitPrice == order.LimitPrice && existing.StopPrice == order.StopPrice
            && existing.Notional == order.Notional && (existing.Notional is not null || existing.Quantity == order.Quantity);
        return same ? existing : throw new ClientOrderIdConflictException(order.ClientOrderId);
    }

    /// <summary>
    /// Sends saved orders of one portfolio in one gateway call and records every answer in one transaction; answers the
    /// orders as recorded, in order. An order whose fate the broker could not tell, and that could not be looked up,
    /// comes back as saved (pending_new) for the order sync to resume.
    /// </summary>
    private async Task<Order[]> SendAsync(IBrokerageGateway gateway, Guid portfolioId, IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        var answers = await gateway.SubmitOrdersAsync([.. orders.Select(o => o.ToSubmitRequest())], cancellationToken);
        var snapshots = new List<(int Index, BrokerOrder Snapshot)>();
        var rejections = new List<(int Index, string Reason)>();
        for (var i = 0; i < orders.Count; i++)
        {
            switch (answers[i])
            {
                case { Order: { } snapshot }:
                    snapshots.Add((i, snapshot));
                    break;
                case { IsUncertain: true, Failure: { } failure }:
                    LogUncertain(failure, orders[i].ClientOrderId);
                    if (await TryFindAsync(gateway, orders[i], cancellationToken) is { } found)
                    {
                        snapshots.Add((i, found));
                    }

                    // Otherwise still unknown: it stays pending_new and ResumeAsync (the Scheduler's order sync) finishes it.
                    break;
                case { Failure: { } refusal }:
                    rejections.Add((i, refusal.Message));
                    break;
            }
        }

        var recorded = orders.ToArray();
        var applied = await updates.ApplyAsync(portfolioId, [.. snapshots.Select(s => s.Snapshot)], cancellationToken);
        for (var j = 0; j < snapshots.Count; j++)
        {
            recorded[snapshots[j].Index] = applied[j]?.Order ?? recorded[snapshots[j].Index];
        }

        if (rejections.Count > 0)
        {
            var rejected = await RecordRejectionsAsync(portfolioId, [.. rejections.Select(r => (orders[r.Index].Id, r.Reason))], cancellationToken);
            for (var j = 0; j < rejections.Count; j++)
            {
                recorded[rejections[j].Index] = rejected[j];
            }
        }

        return recorded;
    }

    /// <summary>Asks the broker for the order by client_order_id; null when it does not have it or cannot say.</summary>
    private async Task<BrokerOrder?> TryFindAsync(IBrokerageGateway gateway, Order order, CancellationToken cancellationToken)
    {
        try
        {
            return await gateway.GetOrderByClientOrderIdAsync(order.ClientOrderId, cancellationToken);
        }
        catch (Exception failure) when (OrderSubmission.IsTransient(failure, cancellationToken))
        {
            LogLookupFailed(failure, order.ClientOrderId);
            return null;
        }
    }

    /// <summary>Records the broker's refusals on the orders, in one save; answers the orders in the same order.</summary>
    private async Task<Order[]> RecordRejectionsAsync(Guid portfolioId, IReadOnlyList<(Guid OrderId, string Reason)> rejections, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var ids = rejections.Select(r => r.OrderId).ToList();
        var orders = await db.Orders.Where(o => o.PortfolioId == portfolioId && ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        var now = timeProvider.GetUtcNow();
        foreach (var (orderId, reason) in rejections)
        {
            orders[orderId].Reject(reason, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var (orderId, reason) in rejections)
        {
            LogRejected(orders[orderId].ClientOrderId, reason);
        }

        return [.. rejections.Select(r => orders[r.OrderId])];
    }

    /// <summary>Alpaca allows 128 characters; ours sort by creation time.</summary>
    private static string NewClientOrderId(DateTimeOffset now) => $"sg-{Guid.CreateVersion7(now):N}";

    [LoggerMessage(LogLevel.Information, "Saved order {ClientOrderId} ({Side} {Symbol}) for portfolio {PortfolioId} before sending")]
    private partial void LogSaved(string clientOrderId, OrderSide side, string symbol, Guid portfolioId);

    [LoggerMessage(LogLevel.Warning, "Sending order {ClientOrderId} failed transiently; looking it up instead of sending again")]
    private partial void LogUncertain(Exception failure, string clientOrderId);

    [LoggerMessage(LogLevel.Warning, "Could not look up order {ClientOrderId}; it stays pending_new until the order sync resumes it")]
    private partial void LogLookupFailed(Exception failure, string clientOrderId);

    [LoggerMessage(LogLevel.Information, "Order {ClientOrderId} was rejected: {Reason}")]
    private partial void LogRejected(string clientOrderId, string reason);
}
