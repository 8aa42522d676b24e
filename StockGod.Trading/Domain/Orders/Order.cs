using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Signals;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Orders;

/// <summary>
/// One order of a portfolio, from the moment it is saved (pending_new, before anything is sent) through Alpaca's
/// lifecycle to a terminal status. Its fills are children; the broker's snapshots drive its status.
/// </summary>
public sealed class Order
{
    /// <summary>Alpaca's limit for client_order_id.</summary>
    public const int MaxClientOrderIdLength = 128;

    public const int MaxRejectReasonLength = 1000;

    private readonly List<Fill> _fills = [];

    private Order()
    {
        ClientOrderId = Symbol = string.Empty;
    }

    private Order(Guid id, Guid portfolioId, string clientOrderId, string symbol, OrderSide side, OrderType type, TimeInForce timeInForce, DateTimeOffset createdAt)
    {
        Id = id;
        PortfolioId = portfolioId;
        ClientOrderId = clientOrderId;
        Symbol = symbol;
        Side = side;
        Type = type;
        TimeInForce = timeInForce;
        Status = OrderStatus.PendingNew;
        CreatedAt = UpdatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid PortfolioId { get; private set; }

    public string ClientOrderId { get; private set; }

    public Guid? BrokerOrderId { get; private set; }

    public string Symbol { get; private set; }

    public OrderSide Side { get; private set; }

    public OrderType Type { get; private set; }

    public TimeInForce TimeInForce { get; private set; }

    public decimal? Quantity { get; private set; }

    public decimal? Notional { get; private set; }

    public decimal? LimitPrice { get; private set; }

    public decimal? StopPrice { get; private set; }

    public OrderStatus Status { get; private set; }

    public decimal FilledQuantity { get; private set; }

    public decimal? AverageFillPrice { get; private set; }

    public string? RejectReason { get; private set; }

    public Guid? StrategyId { get; private set; }

    public Guid? SignalId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? SubmittedAt { get; private set; }

    public DateTimeOffset? FilledAt { get; private set; }

    public DateTimeOffset? CanceledAt { get; private set; }

    public DateTimeOffset? ExpiredAt { get; private set; }

    public DateTimeOffset? FailedAt { get; private set; }

    /// <summary>PostgreSQL's xmin.</summary>
    public uint Version { get; private set; }

    public IReadOnlyCollection<Fill> Fills => _fills;

    public bool IsOpen => Status.IsOpen();

    /// <summary>Shares still to fill; null for a notional order until the broker reports its quantity.</summary>
    public decimal? RemainingQuantity => Quantity is { } quantity ? quantity - FilledQuantity : null;

    /// <summary>Validates an order the way Alpaca does and creates it in pending_new.</summary>
    public static Order Create(
        Guid id,
        Guid portfolioId,
        string clientOrderId,
        string symbol,
        OrderSide side,
        OrderType type,
        TimeInForce timeInForce,
        decimal? quantity,
        decimal? notional,
        decimal? limitPrice,
        decimal? stopPrice,
        DateTimeOffset createdAt,
        Guid? strategyId = null,
        Guid? signalId = null)
    {
        if (string.IsNullOrWhiteSpace(clientOrderId) || clientOrderId.Length > MaxClientOrderIdLength)
        {
            throw new DomainException($"client_order_id must be 1 to {MaxClientOrderIdLength} characters.");
        }

        Validate(type, timeInForce, quantity, notional, limitPrice, stopPrice);
        return new Order(id, portfolioId, clientOrderId.Trim(), Symbols.Normalize(symbol), side, type, timeInForce, createdAt)
        {
            Quantity = quantity,
            Notional = notional,
            LimitPrice = limitPrice,
            StopPrice = stopPrice,
            StrategyId = strategyId,
            SignalId = signalId,
        };
    }

    /// <summary>Alpaca's rules for the shape of an order; throws a <see cref="DomainException"/> that says which is broken.</summary>
    public static void Validate(OrderType type, TimeInForce timeInForce, decimal? quantity, decimal? notional, decimal? limitPrice, decimal? stopPrice)
    {
        if (quantity is null == notional is null)
        {
            throw new DomainException("Exactly one of qty and notional must be given.");
        }

        if (quantity is <= 0)
        {
            throw new DomainException("qty must be positive.");
        }

        if (notional is <= 0)
        {
            throw new DomainException("notional must be positive.");
        }

        if (notional is not null && (type != OrderType.Market || timeInForce != TimeInForce.Day))
        {
            throw new DomainException("notional orders must be market orders with time_in_force day.");
        }

        var needsLimit = type is OrderType.Limit or OrderType.StopLimit;
        var needsStop = type is OrderType.Stop or OrderType.StopLimit;
        if (needsLimit != limitPrice.HasValue)
        {
            throw new DomainException(needsLimit ? "limit_price is required for limit and stop_limit orders." : "limit_price is only allowed on limit and stop_limit orders.");
        }

        if (needsStop != stopPrice.HasValue)
        {
            throw new DomainException(needsStop ? "stop_price is required for stop and stop_limit orders." : "stop_price is only allowed on stop and stop_limit orders.");
        }

        if (limitPrice is <= 0 || stopPrice is <= 0)
        {
            throw new DomainException("limit_price and stop_price must be positive.");
        }
    }

    public SubmitOrderRequest ToSubmitRequest() =>
        new(ClientOrderId, Symbol, Side, Type, TimeInForce, Quantity, Notional, LimitPrice, StopPrice);

    /// <summary>
    /// Whether <see cref="ApplyBrokerSnapshot"/> would change nothing but the update time: the broker reports the order
    /// exactly as we have it (no new fill, same status and times). Pollers skip such snapshots instead of taking the
    /// portfolio's row lock to write back what is already there.
    /// </summary>
    public bool IsCurrentWith(BrokerOrder snapshot) =>
        BrokerOrderId == snapshot.OrderId
        && snapshot.FilledQuantity == FilledQuantity
        && (Status == snapshot.Status || Status.IsTerminal())
        && !(Notional is not null && Quantity is null && snapshot.Quantity is not null)
        && (snapshot.AverageFillPrice ?? AverageFillPrice) == AverageFillPrice
        && SubmittedAt is not null
        && (snapshot.FilledAt ?? FilledAt) == FilledAt
        && (snapshot.CanceledAt ?? CanceledAt) == CanceledAt
        && (snapshot.ExpiredAt ?? ExpiredAt) == ExpiredAt
        && (snapshot.FailedAt ?? FailedAt) == FailedAt;

    /// <summary>
    /// Takes the broker's view of the order: its id, status, timestamps, average price, and (for notional orders) the
    /// quantity. Fills are recorded separately with <see cref="RecordFill"/> first, so the filled quantity here is ours.
    /// A terminal status is never left again: a late, stale snapshot cannot reopen an order.
    /// </summary>
    public void ApplyBrokerSnapshot(BrokerOrder snapshot, DateTimeOffset at)
    {
        BrokerOrderId ??= snapshot.OrderId;
        if (Notional is not null && snapshot.Quantity is { } brokerQuantity)
        {
            Quantity ??= brokerQuantity;
        }

        if (!Status.IsTerminal() || Status == snapshot.Status)
        {
            Status = snapshot.Status;
        }

        AverageFillPrice = snapshot.AverageFillPrice ?? AverageFillPrice;
        SubmittedAt ??= snapshot.SubmittedAt ?? snapshot.CreatedAt;
        FilledAt = snapshot.FilledAt ?? FilledAt;
        CanceledAt = snapshot.CanceledAt ?? CanceledAt;
        ExpiredAt = snapshot.ExpiredAt ?? ExpiredAt;
        FailedAt = snapshot.FailedAt ?? FailedAt;
        UpdatedAt = at;
    }

    /// <summary>Adds one execution; the caller has booked it on the portfolio and passes the realized P&amp;L it produced.</summary>
    public Fill RecordFill(Guid fillId, string executionId, decimal quantity, decimal price, decimal commission, decimal realizedProfitLoss, DateTimeOffset executedAt)
    {
        if (Quantity is { } ordered && FilledQuantity + quantity > ordered)
        {
            throw new DomainException($"Order {ClientOrderId} would be overfilled ({FilledQuantity} + {quantity} > {ordered}).");
        }

        var fill = new Fill(fillId, Id, PortfolioId, executionId, Symbol, Side, quantity, price, commission, realizedProfitLoss, executedAt);
        _fills.Add(fill);
        AverageFillPrice = DecimalRounding.Price((((AverageFillPrice ?? 0m) * FilledQuantity) + (quantity * price)) / (FilledQuantity + quantity));
        FilledQuantity += quantity;
        UpdatedAt = executedAt;
        return fill;
    }

    /// <summary>The broker (or our own pre-trade checks) refused the order.</summary>
    public void Reject(string reason, DateTimeOffset at)
    {
        if (Status.IsTerminal())
        {
            throw new DomainException($"Order {ClientOrderId} is already {Status} and cannot be rejected.");
        }

        Status = OrderStatus.Rejected;
        RejectReason = reason.Length > MaxRejectReasonLength ? reason[..MaxRejectReasonLength] : reason;
        FailedAt = UpdatedAt = at;
    }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.ToTable("orders", t =>
        {
            t.HasEnumCheck<Order, OrderSide>("side");
            t.HasEnumCheck<Order, OrderType>("type");
            t.HasEnumCheck<Order, TimeInForce>("time_in_force");
            t.HasEnumCheck<Order, OrderStatus>("status");
            t.HasCheckConstraint("ck_orders_quantity_or_notional", "(quantity IS NOT NULL) OR (notional IS NOT NULL)");
            t.HasCheckConstraint("ck_orders_quantity_positive", "quantity IS NULL OR quantity > 0");
            t.HasCheckConstraint("ck_orders_notional_positive", "notional IS NULL OR notional > 0");
            t.HasCheckConstraint("ck_orders_limit_price_positive", "limit_price IS NULL OR limit_price > 0");
            t.HasCheckConstraint("ck_orders_stop_price_positive", "stop_price IS NULL OR stop_price > 0");
            t.HasCheckConstraint("ck_orders_limit_price_required", "type NOT IN ('limit', 'stop_limit') OR limit_price IS NOT NULL");
            t.HasCheckConstraint("ck_orders_stop_price_required", "type NOT IN ('stop', 'stop_limit') OR stop_price IS NOT NULL");
            t.HasCheckConstraint("ck_orders_filled_quantity_in_range", "filled_quantity >= 0 AND (quantity IS NULL OR filled_quantity <= quantity)");
        });
        builder.Property(o => o.ClientOrderId).HasMaxLength(Order.MaxClientOrderIdLength);
        builder.Property(o => o.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.Property(o => o.RejectReason).HasMaxLength(Order.MaxRejectReasonLength);
        builder.HasQuantityColumn(o => o.Quantity);
        builder.HasMoneyColumn(o => o.Notional);
        builder.HasPriceColumn(o => o.LimitPrice);
        builder.HasPriceColumn(o => o.StopPrice);
        builder.HasQuantityColumn(o => o.FilledQuantity);
        builder.HasPriceColumn(o => o.AverageFillPrice);
        builder.Property(o => o.Version).IsRowVersion();
        builder.Ignore(o => o.IsOpen);
        builder.Ignore(o => o.RemainingQuantity);

        builder.HasOne<Portfolio>().WithMany().HasForeignKey(o => o.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<StrategyDefinition>().WithMany().HasForeignKey(o => o.StrategyId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Signal>().WithMany().HasForeignKey(o => o.SignalId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(o => o.Fills).WithOne().HasForeignKey(f => f.OrderId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(o => o.Fills).HasField("_fills");

        // Idempotency: one client_order_id per portfolio; the broker's id is unique too once known.
        builder.HasIndex(o => new { o.PortfolioId, o.ClientOrderId }).IsUnique();
        builder.HasIndex(o => o.BrokerOrderId).IsUnique().HasFilter("broker_order_id IS NOT NULL");

        // Hot paths: a portfolio's orders newest first, and the open orders the Scheduler polls.
        builder.HasIndex(o => new { o.PortfolioId, o.CreatedAt }).IsDescending(false, true);
        var openStatuses = string.Join(", ", Enum.GetValues<OrderStatus>().Where(s => s.IsOpen())
            .Select(s => $"'{SnakeCaseEnumConverter<OrderStatus>.StoredName(s)}'"));
        builder.HasIndex(o => new { o.PortfolioId, o.Symbol })
            .HasDatabaseName("ix_orders_open_by_portfolio_symbol")
            .HasFilter($"status IN ({openStatuses})");
    }
}
