using System.Collections.Concurrent;
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

/// <summary>A BUY or SELL signal of a strategy and the client_order_id an order for it carries in this firing.</summary>
internal sealed record Intent(StrategyDefinition Strategy, StrategySignal Signal, string ClientOrderId);

/// <summary>An order of the portfolio that matters to a firing: open, or placed by a strategy since its symbol's latest bar.</summary>
internal sealed record KnownOrder(
    Guid Id, Guid PortfolioId, string ClientOrderId, Guid? StrategyId, string Symbol, OrderSide Side, OrderStatus Status, decimal? Quantity,
    decimal FilledQuantity, decimal? LimitPrice, DateTimeOffset CreatedAt)
{
    public bool IsOpen => Status.IsOpen();
}

/// <summary>
/// What one portfolio does in a firing, decided in memory from the orders it already has: the orders of THIS firing
/// left pending_new by an earlier attempt (<see cref="Resume"/>), the signals to record, size and place
/// (<see cref="Fresh"/>) and the rows of those signals.
/// </summary>
internal sealed record PortfolioPlan(
    Portfolio Portfolio, IReadOnlyList<KnownOrder> Known, IReadOnlyList<(StrategyDefinition Strategy, Guid OrderId)> Resume,
    IReadOnlyList<Intent> Fresh, IReadOnlyList<Signal> Signals)
{
    public bool HasWork => Resume.Count > 0 || Fresh.Count > 0;
}

/// <summary>An order the firing placed (or resumed) for a portfolio's owner, to notify and publish.</summary>
internal sealed record PlacedOrder(Guid OwnerUserId, StrategyDefinition Strategy, Order Order);

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
/// The remaining signals are decided in memory (<see cref="Plan"/>) from the orders read for the whole firing at once,
/// recorded by the run for every portfolio in one write, then sized and risk-checked by <see cref="PositionSizer"/>
/// with each strategy's limits (strategies of one portfolio in turn, each seeing the cash and symbols the previous
/// ones committed), and placed as market day orders in one batch through
/// <see cref="OrderPlacementService.PlaceBatchAsync"/>. The run notifies the owners and publishes the events of every
/// order of the firing together.
/// </summary>
internal sealed partial class PortfolioStrategyTrader(
    OrderPlacementService placement,
    ILogger<PortfolioStrategyTrader> logger)
{
    /// <summary>
    /// Decides, in memory, what the portfolio does in this firing (see the class summary) from its
    /// <paramref name="known"/> orders, read for every portfolio of the firing in one query. Counts the signals and
    /// orders that need nothing more. Null when nothing is left to do.
    /// </summary>
    public static PortfolioPlan? Plan(PortfolioToTrade work, MarketAtFiring market, IReadOnlyList<KnownOrder> known, JobCounters counters)
    {
        var (fireTime, prices, barCompletedAt) = market;
        var portfolio = work.Portfolio;
        var actionable = work.Strategies
            .SelectMany(e => e.Signals.Where(s => s.Action != SignalAction.Hold).Select(s => new Intent(e.Strategy, s, StrategyOrderIds.ClientOrderId(e.Strategy.Id, s.Symbol, fireTime))))
            .Where(a => barCompletedAt.ContainsKey(a.Signal.Symbol))
            .ToList();
        if (actionable.Count == 0)
        {
            return null;
        }

        var resume = new List<(StrategyDefinition Strategy, Guid OrderId)>();
        var fresh = new List<Intent>();
        foreach (var intent in actionable)
        {
            var acted = known.Where(o => o.StrategyId == intent.Strategy.Id && o.Symbol == intent.Signal.Symbol && o.CreatedAt >= barCompletedAt[o.Symbol]).ToList();
            if (acted.Find(o => o.ClientOrderId == intent.ClientOrderId) is { } ofThisFiring)
            {
                if (ofThisFiring.Status == OrderStatus.PendingNew)
                {
                    resume.Add((intent.Strategy, ofThisFiring.Id));
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

        // HOLDs are only counted; a bad signal (say a strength out of range) fails this portfolio alone, before any write.
        var signals = fresh.Select(i => new Signal(
            StrategyOrderIds.SignalId(i.Strategy.Id, i.Signal.Symbol, fireTime), i.Strategy.Id, portfolio.Id, i.Signal.Symbol, i.Signal.Action,
            i.Signal.Strength, i.Signal.Reason, prices.TryGetValue(i.Signal.Symbol, out var price) ? price : null, fireTime)).ToList();
        var plan = new PortfolioPlan(portfolio, known, resume, fresh, signals);
        return plan.HasWork ? plan : null;
    }

    /// <summary>
    /// Carries out the plan once its signals are recorded: resumes the orders of this firing left pending_new, sizes
    /// and risk-checks the fresh signals and places them as one batch. Every order placed or resumed goes to
    /// <paramref name="placed"/> (the run notifies and publishes them together), also when this then throws.
    /// </summary>
    public async Task TradeAsync(PortfolioPlan plan, MarketAtFiring market, JobCounters counters, ConcurrentQueue<PlacedOrder> placed, CancellationToken cancellationToken)
    {
        var (fireTime, prices, _) = market;
        var portfolio = plan.Portfolio;
        var mine = new List<(StrategyDefinition Strategy, Order Order)>();
        foreach (var (strategy, orderId) in plan.Resume)
        {
            mine.Add((strategy, await placement.ResumeAsync(orderId, cancellationToken)));
            counters.Add("orders_resumed");
        }

        var state = new SizingState(portfolio, plan.Known, prices);
        var orders = new List<(StrategyDefinition Strategy, PlaceOrder Command)>();
        foreach (var strategy in plan.Fresh.GroupBy(a => a.Strategy.Id))
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

        try
        {
            await PlaceAsync(portfolio.Id, orders, mine, counters, cancellationToken);
        }
        finally
        {
            foreach (var (strategy, order) in mine)
            {
                placed.Enqueue(new PlacedOrder(portfolio.OwnerUserId, strategy, order));
            }
        }

        if (mine.Count > 0 && mine.All(p => p.Order.BrokerOrderId is null && p.Order.Status == OrderStatus.PendingNew))
        {
            // The placement service keeps an order whose sending failed transiently as pending_new and returns normally;
            // when the broker took none of them it is down for this portfolio, which the run must count as a failure
            // (else a broker outage never trips the circuit breaker). order_status_check resumes the orders.
            throw new BrokerageUnavailableException($"The broker confirmed none of the {mine.Count} orders sent for portfolio {portfolio.Id}; they stay pending_new.");
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

    /// <summary>The events published for a placed order: its status, and each of its fills.</summary>
    public static IEnumerable<TradingEventEnvelope> EventsOf(PlacedOrder placed, DateTimeOffset now)
    {
        var order = placed.Order;
        yield return TradingEventEnvelope.ForUser(
            placed.OwnerUserId,
            new OrderStatusChanged(order.PortfolioId, order.Id, order.ClientOrderId, order.Symbol, order.Status, order.FilledQuantity, order.AverageFillPrice),
            now);
        foreach (var fill in order.Fills)
        {
            yield return TradingEventEnvelope.ForUser(
                placed.OwnerUserId, new OrderFilled(order.PortfolioId, order.Id, order.Symbol, order.Side, fill.Quantity, fill.Price, fill.ExecutedAt), now);
        }
    }

    /// <summary>The owner's notification of a placed order.</summary>
    public static Notification NotificationOf(PlacedOrder placed, DateTimeOffset now) => Notification(placed.OwnerUserId, placed.Strategy, placed.Order, now);

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

    [LoggerMessage(LogLevel.Debug, "Strategy {StrategyId}: no order for {Symbol}: {Reason}")]
    private partial void LogRefused(Guid strategyId, string symbol, string? reason);

    [LoggerMessage(LogLevel.Information, "Order {ClientOrderId} was refused before sending: {Reason}")]
    private partial void LogPlacementRefused(string clientOrderId, string reason);
}
