using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Events;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Orders;

/// <summary>
/// order_status_check: asks the broker about every open order of the last 24 hours and applies what it says. One list
/// call per portfolio (Alpaca allows 200 requests a minute), single lookups only for the orders the list did not
/// return, and <see cref="OrderPlacementService.ResumeAsync"/> for orders saved but never sent. Each snapshot goes
/// through <see cref="OrderUpdateService"/>, which books a fill exactly once under the portfolio's row lock, so a rerun
/// or a concurrent poller changes nothing. The owner is notified of fills, cancellations, rejections and expiries, and
/// every change is published (<see cref="OrderStatusChanged"/>, and <see cref="OrderFilled"/> per fill booked).
/// A broker failure for one portfolio is counted and logged and the others go on; if every portfolio failed the run
/// fails, so the circuit breaker sees a broker that is down.
/// </summary>
internal sealed partial class OrderStatusCheckService(
    TradingDbContext db,
    IBrokerageGatewayFactory gateways,
    OrderUpdateService updates,
    OrderPlacementService placement,
    ITradingEventPublisher events,
    TimeProvider time,
    ILogger<OrderStatusCheckService> logger)
{
    /// <summary>Orders created longer ago than this are not polled (the issue's window; a day order ends the same day).</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromHours(24);

    /// <summary>Taken off the oldest creation time for the list call: the broker compares its own (later) submission time,
    /// but clocks differ.</summary>
    public static readonly TimeSpan ListMargin = TimeSpan.FromMinutes(5);

    /// <summary>Alpaca's maximum page size.</summary>
    public const int ListLimit = 500;

    private static readonly string[] CounterNames =
    [
        "portfolios_processed", "orders_checked", "orders_filled", "orders_partially_filled",
        "orders_canceled", "orders_rejected", "orders_expired", "broker_errors",
    ];

    public async Task CheckOrdersAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        foreach (var name in CounterNames)
        {
            counters.Add(name, 0);
        }

        var since = time.GetUtcNow() - LookBack;
        var open = await db.Orders.AsNoTracking()
            .Where(o => o.CreatedAt >= since && OrderStatusExtensions.OpenStatuses.Contains(o.Status))
            .Join(db.Portfolios, o => o.PortfolioId, p => p.Id, (o, p) => new OpenOrder(
                o.Id, o.PortfolioId, p.OwnerUserId, p.TradingMode, o.ClientOrderId, o.BrokerOrderId, o.Symbol, o.Side,
                o.Status, o.FilledQuantity, o.CreatedAt, o))
            .ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return;
        }

        var portfolios = open.GroupBy(o => o.PortfolioId).ToList();
        var failed = 0;
        foreach (var orders in portfolios)
        {
            var notifications = new List<Notification>();
            var changes = new List<TradingEventEnvelope>();
            try
            {
                await CheckPortfolioAsync([.. orders], notifications, changes, counters, cancellationToken);
            }
            catch (Exception failure) when (IsBrokerFailure(failure, cancellationToken))
            {
                failed++;
                counters.Add("broker_errors");
                LogBrokerFailed(failure, orders.Key);
            }

            counters.Add("portfolios_processed");
            if (notifications.Count > 0)
            {
                // The update service clears the change tracker per order, so the portfolio's notifications are saved together here.
                db.ChangeTracker.Clear();
                db.Notifications.AddRange(notifications);
                await db.SaveChangesAsync(cancellationToken);
            }

            // After the changes are stored: an event tells clients to look, so it never runs ahead of the data.
            foreach (var change in changes)
            {
                await events.PublishAsync(change, cancellationToken);
            }
        }

        if (failed == portfolios.Count)
        {
            throw new InvalidOperationException($"The broker failed for every portfolio with open orders ({failed}).");
        }
    }

    private async Task CheckPortfolioAsync(
        IReadOnlyList<OpenOrder> orders, List<Notification> notifications, List<TradingEventEnvelope> changes, JobCounters counters, CancellationToken cancellationToken)
    {
        var first = orders[0];
        var gateway = gateways.For(first.PortfolioId, first.Mode);
        var oldest = orders.Min(o => o.CreatedAt);
        var listed = await gateway.ListOrdersAsync(
            new ListOrdersRequest(OrderListStatus.All, After: oldest - ListMargin, Limit: ListLimit), cancellationToken);
        var byBrokerId = listed.ToDictionary(o => o.OrderId);
        var byClientId = listed.GroupBy(o => o.ClientOrderId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        foreach (var order in orders)
        {
            counters.Add("orders_checked");
            var snapshot = order.BrokerOrderId is { } brokerId && byBrokerId.TryGetValue(brokerId, out var byId) ? byId
                : byClientId.GetValueOrDefault(order.ClientOrderId);
            Order? after;
            IEnumerable<Fill> newFills;
            if (snapshot is null && order is { BrokerOrderId: null, Status: OrderStatus.PendingNew })
            {
                // Saved but never confirmed sent: the placement service looks it up by client_order_id and sends only if missing.
                after = await placement.ResumeAsync(order.Id, cancellationToken);
                newFills = after.Fills; // nothing was booked before it was found
                counters.Add("orders_resumed");
            }
            else
            {
                snapshot ??= order.BrokerOrderId is { } id
                    ? await gateway.GetOrderAsync(id, cancellationToken)
                    : await gateway.GetOrderByClientOrderIdAsync(order.ClientOrderId, cancellationToken);
                if (snapshot is null)
                {
                    LogUnknownToBroker(order.ClientOrderId, order.PortfolioId);
                    continue;
                }

                if (order.Stored.IsCurrentWith(snapshot))
                {
                    continue; // nothing to apply: no transaction, no row lock (most open orders on most ticks)
                }

                var update = await updates.ApplyAsync(order.PortfolioId, snapshot, cancellationToken);
                after = update?.Order;
                newFills = update?.NewFill is { } fill ? [fill] : [];
            }

            if (after is not null && (after.Status != order.Status || after.FilledQuantity != order.FilledQuantity))
            {
                var now = time.GetUtcNow();
                changes.Add(TradingEventEnvelope.ForUser(
                    order.OwnerUserId,
                    new OrderStatusChanged(after.PortfolioId, after.Id, after.ClientOrderId, after.Symbol, after.Status, after.FilledQuantity, after.AverageFillPrice),
                    now));
                changes.AddRange(newFills.Select(f => TradingEventEnvelope.ForUser(
                    order.OwnerUserId, new OrderFilled(after.PortfolioId, after.Id, after.Symbol, after.Side, f.Quantity, f.Price, f.ExecutedAt), now)));
            }

            if (after is not null && Outcome(order, after, counters) is { } outcome)
            {
                notifications.Add(Notify(order, after, outcome));
            }
        }
    }

    /// <summary>Counts what changed and names the notification it deserves, if any.</summary>
    private static string? Outcome(OpenOrder before, Order after, JobCounters counters)
    {
        var newFill = after.FilledQuantity > before.FilledQuantity;
        if (after.Status == before.Status && !newFill)
        {
            return null;
        }

        switch (after.Status)
        {
            case OrderStatus.Filled:
                counters.Add("orders_filled");
                return "order.filled";
            case OrderStatus.PartiallyFilled when newFill:
                counters.Add("orders_partially_filled");
                return "order.partially_filled";
            case OrderStatus.Canceled:
                counters.Add("orders_canceled");
                return "order.canceled";
            case OrderStatus.Rejected:
                counters.Add("orders_rejected");
                return "order.rejected";
            case OrderStatus.Expired:
                counters.Add("orders_expired");
                return "order.expired";
            default:
                return null;
        }
    }

    private Notification Notify(OpenOrder order, Order after, string kind)
    {
        var side = after.Side == OrderSide.Buy ? "Buy" : "Sell";
        var (title, body) = kind switch
        {
            "order.filled" => ($"{side} {after.Symbol} filled", $"{side} {after.FilledQuantity} {after.Symbol} filled at an average {after.AverageFillPrice}."),
            "order.partially_filled" => ($"{side} {after.Symbol} partially filled", $"{after.FilledQuantity} of {after.Quantity} {after.Symbol} filled at an average {after.AverageFillPrice}."),
            "order.canceled" => ($"{side} {after.Symbol} canceled", $"The order was canceled with {after.FilledQuantity} filled."),
            "order.rejected" => ($"{side} {after.Symbol} rejected", $"The broker rejected the order{(after.RejectReason is null ? "." : $": {after.RejectReason}")}"),
            _ => ($"{side} {after.Symbol} expired", $"The order expired with {after.FilledQuantity} filled."),
        };
        var data = JsonSerializer.SerializeToDocument(new Dictionary<string, object?>
        {
            ["order_id"] = after.Id,
            ["portfolio_id"] = after.PortfolioId,
            ["client_order_id"] = after.ClientOrderId,
            ["symbol"] = after.Symbol,
            ["filled_quantity"] = after.FilledQuantity,
            ["average_fill_price"] = after.AverageFillPrice,
        });
        return new Notification(Guid.CreateVersion7(), order.OwnerUserId, kind, title, body, data, time.GetUtcNow());
    }

    private static bool IsBrokerFailure(Exception failure, CancellationToken cancellationToken) => failure switch
    {
        BrokerageException or TimeoutException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private sealed record OpenOrder(
        Guid Id,
        Guid PortfolioId,
        Guid OwnerUserId,
        TradingMode Mode,
        string ClientOrderId,
        Guid? BrokerOrderId,
        string Symbol,
        OrderSide Side,
        OrderStatus Status,
        decimal FilledQuantity,
        DateTimeOffset CreatedAt,
        Order Stored);

    [LoggerMessage(LogLevel.Warning, "Broker call failed for portfolio {PortfolioId}; its orders are checked again on the next run")]
    private partial void LogBrokerFailed(Exception failure, Guid portfolioId);

    [LoggerMessage(LogLevel.Warning, "The broker does not know order {ClientOrderId} of portfolio {PortfolioId}")]
    private partial void LogUnknownToBroker(string clientOrderId, Guid portfolioId);
}
