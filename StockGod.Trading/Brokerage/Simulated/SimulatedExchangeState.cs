using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Brokerage.Simulated;

// The simulated exchange's own books, in tables of its own (sim_*), so it behaves like a separate broker that survives
// restarts: the trading domain never reads them, it only talks to the exchange through IBrokerageGateway.

/// <summary>One simulated brokerage account per portfolio.</summary>
internal sealed class SimAccount
{
    public Guid PortfolioId { get; set; }

    public decimal Cash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SimOrder
{
    public Guid Id { get; set; }

    public Guid AccountId { get; set; }

    public string ClientOrderId { get; set; } = string.Empty;

    public string Symbol { get; set; } = string.Empty;

    public OrderSide Side { get; set; }

    public OrderType Type { get; set; }

    public TimeInForce TimeInForce { get; set; }

    /// <summary>For notional orders: the shares the notional bought at submission.</summary>
    public decimal Quantity { get; set; }

    public decimal? Notional { get; set; }

    public decimal? LimitPrice { get; set; }

    public decimal? StopPrice { get; set; }

    public bool StopTriggered { get; set; }

    public OrderStatus Status { get; set; }

    public decimal FilledQuantity { get; set; }

    public decimal? AverageFillPrice { get; set; }

    /// <summary>The price per share held back from buying power while the order is open.</summary>
    public decimal ReservedPrice { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FilledAt { get; set; }

    public DateTimeOffset? CanceledAt { get; set; }

    public DateTimeOffset? ExpiredAt { get; set; }

    /// <summary>The session close a day order expires at.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public decimal RemainingQuantity => Quantity - FilledQuantity;

    public BrokerOrder ToBrokerOrder() => new(
        Id, ClientOrderId, Symbol, Side, Type, TimeInForce, Quantity, Notional, LimitPrice, StopPrice, Status,
        FilledQuantity, AverageFillPrice, CreatedAt, UpdatedAt, CreatedAt, FilledAt, CanceledAt, ExpiredAt, FailedAt: null);
}

/// <summary>A holding of a simulated account; negative quantity is a short.</summary>
internal sealed class SimPosition
{
    public Guid AccountId { get; set; }

    public string Symbol { get; set; } = string.Empty;

    public decimal Quantity { get; set; }

    public decimal CostBasis { get; set; }

    public decimal AverageEntryPrice => CostBasis / Quantity;
}

internal sealed class SimAccountConfiguration : IEntityTypeConfiguration<SimAccount>
{
    public void Configure(EntityTypeBuilder<SimAccount> builder)
    {
        builder.ToTable("sim_accounts");
        builder.HasKey(a => a.PortfolioId);
        builder.HasMoneyColumn(a => a.Cash);
        builder.HasOne<Portfolio>().WithOne().HasForeignKey<SimAccount>(a => a.PortfolioId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SimOrderConfiguration : IEntityTypeConfiguration<SimOrder>
{
    public void Configure(EntityTypeBuilder<SimOrder> builder)
    {
        builder.ToTable("sim_orders", t =>
        {
            t.HasEnumCheck<SimOrder, OrderStatus>("status");
            t.HasCheckConstraint("ck_sim_orders_quantity_positive", "quantity > 0");
            t.HasCheckConstraint("ck_sim_orders_filled_quantity_in_range", "filled_quantity >= 0 AND filled_quantity <= quantity");
        });
        builder.Property(o => o.ClientOrderId).HasMaxLength(Domain.Orders.Order.MaxClientOrderIdLength);
        builder.Property(o => o.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.HasQuantityColumn(o => o.Quantity);
        builder.HasMoneyColumn(o => o.Notional);
        builder.HasPriceColumn(o => o.LimitPrice);
        builder.HasPriceColumn(o => o.StopPrice);
        builder.HasQuantityColumn(o => o.FilledQuantity);
        builder.HasPriceColumn(o => o.AverageFillPrice);
        builder.HasPriceColumn(o => o.ReservedPrice);
        builder.Ignore(o => o.RemainingQuantity);
        builder.HasOne<SimAccount>().WithMany().HasForeignKey(o => o.AccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => new { o.AccountId, o.ClientOrderId }).IsUnique();
        builder.HasIndex(o => new { o.AccountId, o.CreatedAt });
    }
}

internal sealed class SimPositionConfiguration : IEntityTypeConfiguration<SimPosition>
{
    public void Configure(EntityTypeBuilder<SimPosition> builder)
    {
        builder.ToTable("sim_positions", t => t.HasCheckConstraint("ck_sim_positions_quantity_not_zero", "quantity <> 0"));
        builder.HasKey(p => new { p.AccountId, p.Symbol });
        builder.Property(p => p.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.HasQuantityColumn(p => p.Quantity);
        builder.HasMoneyColumn(p => p.CostBasis);
        builder.Ignore(p => p.AverageEntryPrice);
        builder.HasOne<SimAccount>().WithMany().HasForeignKey(p => p.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
