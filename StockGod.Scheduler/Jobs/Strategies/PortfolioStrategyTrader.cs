using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Signals;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Events;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Jobs.Strategies;

/// <summary>What every portfolio's trading in one firing shares: the scheduled time, the prices, and when the latest
/// bar of each symbol completed.</summary>
internal sealed record MarketAtFiring(DateTimeOffset FireTime, IReadOnlyDictionary<string, decimal> Prices, IReadOnlyDictionary<string, DateTimeOffset> LatestBarCompletedAt);

/// <summary>One portfolio as loaded for a firing (no tracking) and its strategies' evaluations.</summary>
internal sealed record PortfolioToTrade(Portfolio Portfolio, IReadOnlyList<StrategyEvaluation> Strategies)
{
    public bool HasActionableSignals => Strategies.Any(e => e.Signals.Any(s => s.Action != SignalAction.Hold));
}

/// <summary>
/// Turns one portfolio's BUY and SELL signals of a firing into orders, in a scope of its own.
/// <para>
/// A strategy acts on a symbol once per completed bar, as in a backtest: the daily bars do not change between the
/// 15-minute firings of a session, so a signal repeated by a later firing is not traded again if the strategy already
/// ordered that symbol since its latest bar completed. An order of THIS firing (same client_order_id) is never placed
/// again either: the firing was retried or duplicated. If it is still pending_new (the process died between sending
/// and recording) it is resumed, i.e. looked up at the broker by client_order_id and recorded, and sent only if the
/// broker has never seen it.
/// </para>
/// The remaining signals are
/// recorded, sized and risk-checked by <see cref="PositionSizer"/> with each strategy's limits (strategies of one
/// portfolio in turn, each seeing the cash and symbols the previous ones committed), and placed as market day orders
/// in one batch through <see cref="OrderPlacementService.PlaceBatchAsync"/>. The owner is notified of each order and its events are published.
/// </summary>
internal sealed partial class PortfolioStrategyTrader(
    TradingDbContext db,
    OrderPlacementService placement,
    ITradingEventPublisher events,
    TimeProvider time,
    ILogger<PortfolioStrategyTrader> logger)
{
    private static readonly OrderStatus[] OpenStatuses = [.. Enum.GetValues<OrderStatus>().Where(s => s.IsOpen())];

    public async Task TradeAsync(PortfolioToTrade work, MarketAtFiring market, JobCounters counters, CancellationToken cancellationToken)
    {
        var (fireTime, prices, barCompletedAt) = market;
        var portfolio = work.Portfolio;
        if (!portfolio.CanTrade)
        {
            counters.Add("portfolios_not_tradable");
            LogNotTradable(portfolio.Id);
            return;
        }

        var actionable = work.Strategies
            .SelectMany(e => e.Signals.Where(s => s.Action != SignalAction.Hold).Select(s => new Intent(e.Strategy, s, StrategyOrderIds.ClientOrderId(e.Strategy.Id, s.Symbol, fireTime))))
            .Where(a => barCompletedAt.ContainsKey(a.Signal.Symbol))
            .ToList();
        if (actionable.Count == 0)
        {
            return;
        }

        var since = actionable.Min(a => barCompletedAt[a.Signal.Symbol]);
        var known = await db.Orders.AsNoTracking()
            .Where(o => o.PortfolioId == portfolio.Id && (OpenStatuses.Contains(o.Status) || (o.StrategyId != null && o.CreatedAt >= since)))
            .Select(o => new KnownOrder(o.Id, o.ClientOrderId, o.StrategyId, o.Symbol, o.Side, o.Status, o.Quantity, o.FilledQuantity, o.LimitPrice, o.CreatedAt))
            .ToListAsync(cancellationToken);

        var placed = new List<(StrategyDefinition Strategy, Order Order)>();
        var fresh = new List<Intent>();
        foreach (var intent in actionable)
        {
            var acted = known.Where(o => o.StrategyId == intent.Strategy.Id && o.Symbol == intent.Signal.Symbol && o.CreatedAt >= barCompletedAt[o.Symbol]).ToList();
            if (acted.Find(o => o.ClientOrderId == intent.ClientOrderId) is { } ofThisFiring)
            {
                if (ofThisFiring.Status == OrderStatus.PendingNew)
                {
                    placed.Add((intent.Strategy, await placement.ResumeAsync(ofThisFiring.Id, cancellationToken)));
                    counters.Add("orders_resumed");
                }
                else
                {
                    counters.Add("orders_existing");
                }
            }
            else if (acted.Count > 0)
            {
                counters.Add("signals_already_acted");
            }
            else
            {
                fresh.Add(intent);
            }
        }

        await RecordSignalsAsync(portfolio.Id, fresh, prices, fireTime, cancellationToken);

        var state = new SizingState(portfolio, known, prices);
        var orders = new List<(StrategyDefinition Strategy, PlaceOrder Command)>();
        foreach (var strategy in fresh.GroupBy(a => a.Strategy.Id))
        {
            var definition = strategy.First().Strategy;
            foreach (var decision in PositionSizer.Size(strategy.Select(a => a.Signal), state.Current, definition.RiskLimits, prices))
            {
                if (decision.Order is not { } intent)
                {
                    counters.Add("signals_refused_by_risk");
                    LogRefused(definition.Id, decision.Signal.Symbol, decision.Rejection);
                    continue;
                }

                state.Commit(intent, prices);
                orders.Add((definition, new PlaceOrder(
                    portfolio.Id, intent.Symbol, intent.Side, OrderType.Market, TimeInForce.Day, intent.Quantity,
                    ClientOrderId: StrategyOrderIds.ClientOrderId(definition.Id, intent.Symbol, fireTime),
                    StrategyId: definition.Id,
                    SignalId: StrategyOrderIds.SignalId(definition.Id, intent.Symbol, fireTime))));
            }
        }

        await PlaceAsync(portfolio.Id, orders, placed, counters, cancellationToken);
        await NotifyAsync(portfolio, placed, cancellationToken);
        if (placed.Count > 0 && placed.All(p => p.Order.BrokerOrderId is null && p.Order.Status == OrderStatus.PendingNew))
        {
            // The placement service keeps an order whose sending failed transiently as pending_new and returns normally;
            // when the broker took none of them it is down for this portfolio, which the run must count as a failure
            // (else a broker outage never trips the circuit breaker). order_status_check resumes the orders.
            throw new BrokerageUnavailableException($"The broker confirmed none of the {placed.Count} orders sent for portfolio {portfolio.Id}; they stay pending_new.");
        }
    }

    /// <summary>
    /// Places the firing's orders of the portfolio as one batch (all saved with their client_order_ids before any is
    /// sent, one broker call, one transaction recording the answers) and counts what became of each.
    /// </summary>
    private async Task PlaceAsync(
        Guid portfolioId, IReadOnlyList<(StrategyDefinition Strategy, PlaceOrder Command)> orders, List<(StrategyDefinition Strategy, Order Order)> placed,
        JobCounters counters, CancellationToken cancellationToken)
    {
        if (orders.Count == 0)
        {
            return;
        }

        var results = await placement.PlaceBatchAsync(portfolioId, [.. orders.Select(o => o.Command)], cancellationToken);
        for (var i = 0; i < results.Count; i++)
        {
            switch (results[i])
            {
                case { Refusal: { } refused }:
                    // Refused before sending (e.g. shares committed to another open sell meanwhile): nothing reached the broker.
                    counters.Add("orders_rejected");
                    LogPlacementRefused(orders[i].Command.ClientOrderId!, refused.Message);
                    break;
                case { AlreadyExisted: true }:
                    // A duplicate firing running at the same moment saved it first; that run reports it.
                    counters.Add("orders_existing");
                    break;
                case { Order: { } order }:
                    counters.Add(order.Status switch
                    {
                        OrderStatus.Rejected => "orders_rejected",
                        // Sent, but the broker could not say whether it has it: order_status_check resumes it by client_order_id.
                        OrderStatus.PendingNew => "orders_unconfirmed",
                        _ => "orders_placed",
                    });
                    placed.Add((orders[i].Strategy, order));
                    break;
            }
        }
    }

    /// <summary>Saves the firing's BUY and SELL signals (HOLDs are only counted), skipping rows an earlier attempt wrote.</summary>
    private async Task RecordSignalsAsync(
        Guid portfolioId, IReadOnlyList<Intent> intents, IReadOnlyDictionary<string, decimal> prices, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        if (intents.Count == 0)
        {
            return;
        }

        var ids = intents.Select(i => StrategyOrderIds.SignalId(i.Strategy.Id, i.Signal.Symbol, fireTime)).ToList();
        var recorded = (await db.Signals.Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken)).ToHashSet();
        for (var i = 0; i < intents.Count; i++)
        {
            if (!recorded.Contains(ids[i]))
            {
                var (strategy, signal, _) = intents[i];
                db.Signals.Add(new Signal(
                    ids[i], strategy.Id, portfolioId, signal.Symbol, signal.Action, signal.Strength, signal.Reason,
                    prices.TryGetValue(signal.Symbol, out var price) ? price : null, fireTime));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private async Task NotifyAsync(Portfolio portfolio, IReadOnlyList<(StrategyDefinition Strategy, Order Order)> placed, CancellationToken cancellationToken)
    {
        if (placed.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        db.Notifications.AddRange(placed.Select(p => Notification(portfolio.OwnerUserId, p.Strategy, p.Order, now)));
        await db.SaveChangesAsync(cancellationToken);

        foreach (var (_, order) in placed)
        {
            await events.PublishToUserAsync(
                portfolio.OwnerUserId,
                new OrderStatusChanged(order.PortfolioId, order.Id, order.ClientOrderId, order.Symbol, order.Status, order.FilledQuantity, order.AverageFillPrice),
                now,
                cancellationToken);
            foreach (var fill in order.Fills)
            {
                await events.PublishToUserAsync(
                    portfolio.OwnerUserId,
                    new OrderFilled(order.PortfolioId, order.Id, order.Symbol, order.Side, fill.Quantity, fill.Price, fill.ExecutedAt),
                    now,
                    cancellationToken);
            }
        }
    }

    private static Notification Notification(Guid userId, StrategyDefinition strategy, Order order, DateTimeOffset now)
    {
        var side = order.Side == OrderSide.Buy ? "Buy" : "Sell";
        var (kind, title, body) = order.Status switch
        {
            OrderStatus.Filled => ("order.filled", $"{strategy.Name}: {side} {order.Symbol} filled",
                $"{side} {order.FilledQuantity} {order.Symbol} filled at an average {order.AverageFillPrice}."),
            OrderStatus.PartiallyFilled => ("order.partially_filled", $"{strategy.Name}: {side} {order.Symbol} partially filled",
                $"{order.FilledQuantity} of {order.Quantity} {order.Symbol} filled at an average {order.AverageFillPrice}."),
            OrderStatus.Rejected => ("order.rejected", $"{strategy.Name}: {side} {order.Symbol} rejected",
                $"The broker rejected the order{(order.RejectReason is null ? "." : $": {order.RejectReason}")}"),
            _ => ("order.placed", $"{strategy.Name}: {side} {order.Symbol} placed",
                $"{side} {order.Quantity} {order.Symbol} at market, now {order.Status}."),
        };
        var data = JsonSerializer.SerializeToDocument(new Dictionary<string, object?>
        {
            ["order_id"] = order.Id,
            ["portfolio_id"] = order.PortfolioId,
            ["strategy_id"] = strategy.Id,
            ["client_order_id"] = order.ClientOrderId,
            ["symbol"] = order.Symbol,
            ["filled_quantity"] = order.FilledQuantity,
            ["average_fill_price"] = order.AverageFillPrice,
        });
        return new Notification(Guid.CreateVersion7(now), userId, kind, title, body, data, now);
    }

    private sealed record Intent(StrategyDefinition Strategy, StrategySignal Signal, string ClientOrderId);

    private sealed record KnownOrder(
        Guid Id, string ClientOrderId, Guid? StrategyId, string Symbol, OrderSide Side, OrderStatus Status, decimal? Quantity, decimal FilledQuantity,
        decimal? LimitPrice, DateTimeOffset CreatedAt)
    {
        public bool IsOpen => Status.IsOpen();
    }

    /// <summary>
    /// The portfolio as the sizer sees it, advanced as orders are committed: cash net of what open buys will spend,
    /// and the symbols that already have an order (open, or placed earlier in this firing by another strategy).
    /// </summary>
    private sealed class SizingState
    {
        private readonly decimal _equity;
        private readonly Dictionary<string, PositionState> _positions;
        private readonly HashSet<string> _symbolsWithOrders;
        private decimal _cash;

        public SizingState(Portfolio portfolio, IEnumerable<KnownOrder> known, IReadOnlyDictionary<string, decimal> prices)
        {
            _positions = portfolio.Positions.ToDictionary(
                p => p.Symbol,
                p => new PositionState(p.Quantity, prices.TryGetValue(p.Symbol, out var price) ? price : p.LastPrice ?? p.AverageEntryPrice),
                StringComparer.Ordinal);
            _equity = portfolio.Cash + _positions.Values.Sum(p => p.Quantity * p.Price);
            var open = known.Where(o => o.IsOpen).ToList();
            _symbolsWithOrders = open.Select(o => o.Symbol).ToHashSet(StringComparer.Ordinal);
            _cash = portfolio.Cash - open.Where(o => o.Side == OrderSide.Buy).Sum(o =>
                ((o.Quantity ?? 0m) - o.FilledQuantity) * (o.LimitPrice ?? prices.GetValueOrDefault(o.Symbol)));
            Current = Snapshot();
        }

        public PortfolioState Current { get; private set; }

        public void Commit(OrderIntent intent, IReadOnlyDictionary<string, decimal> prices)
        {
            _symbolsWithOrders.Add(intent.Symbol);
            if (intent.Side == OrderSide.Buy)
            {
                _cash -= intent.Quantity * prices.GetValueOrDefault(intent.Symbol);
            }

            Current = Snapshot();
        }

        private PortfolioState Snapshot() => new(_equity, _cash, _positions, new HashSet<string>(_symbolsWithOrders, StringComparer.Ordinal));
    }

    [LoggerMessage(LogLevel.Warning, "Portfolio {PortfolioId} is live without live trading enabled; its strategies' signals place no orders")]
    private partial void LogNotTradable(Guid portfolioId);

    [LoggerMessage(LogLevel.Debug, "Strategy {StrategyId}: no order for {Symbol}: {Reason}")]
    private partial void LogRefused(Guid strategyId, string symbol, string? reason);

    [LoggerMessage(LogLevel.Information, "Order {ClientOrderId} was refused before sending: {Reason}")]
    private partial void LogPlacementRefused(string clientOrderId, string reason);
}
