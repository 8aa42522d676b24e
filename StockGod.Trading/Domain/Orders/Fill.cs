using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Orders;

/// <summary>
/// One execution of an order, as booked on the portfolio. <see cref="ExecutionId"/> is unique in the database, so the
/// same execution can never be booked twice however often the broker reports it.
/// </summary>
public sealed class Fill
{
    public const int MaxExecutionIdLength = 128;

    private Fill()
    {
        ExecutionId = Symbol = string.Empty;
    }

    internal Fill(Guid id, Guid orderId, Guid portfolioId, string executionId, string symbol, OrderSide side, decimal quantity, decimal price, decimal commission, decimal realizedProfitLoss, DateTimeOffset executedAt)
    {
        Id = id;
        OrderId = orderId;
        PortfolioId = portfolioId;
        ExecutionId = executionId;
        Symbol = symbol;
        Side = side;
        Quantity = quantity;
        Price = price;
        Commission = commission;
        RealizedProfitLoss = realizedProfitLoss;
        ExecutedAt = executedAt;
    }

    public Guid Id { get; private set; }

    public Guid OrderId { get; private set; }

    public Guid PortfolioId { get; private set; }

    public string ExecutionId { get; private set; }

    public string Symbol { get; private set; }

    public OrderSide Side { get; private set; }

    public decimal Quantity { get; private set; }

    public decimal Price { get; private set; }

    public decimal Commission { get; private set; }

    public decimal RealizedProfitLoss { get; private set; }

    public DateTimeOffset ExecutedAt { get; private set; }

    /// <summary>
    /// Brokers that report cumulative state rather than executions (Alpaca's order polling, the simulated exchange)
    /// get a deterministic id per step of the cumulative filled quantity, so every poller derives the same id.
    /// </summary>
    public static string ExecutionIdFor(Guid brokerOrderId, decimal cumulativeFilledQuantity) =>
        $"{brokerOrderId}:{DecimalRounding.Format(cumulativeFilledQuantity)}";
}

internal sealed class FillConfiguration : IEntityTypeConfiguration<Fill>
{
    public void Configure(EntityTypeBuilder<Fill> builder)
    {
        builder.ToTable("fills", t =>
        {
            t.HasEnumCheck<Fill, OrderSide>("side");
            t.HasCheckConstraint("ck_fills_quantity_positive", "quantity > 0");
            t.HasCheckConstraint("ck_fills_price_positive", "price > 0");
            t.HasCheckConstraint("ck_fills_commission_not_negative", "commission >= 0");
        });
        builder.Property(f => f.ExecutionId).HasMaxLength(Fill.MaxExecutionIdLength);
        builder.Property(f => f.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.HasQuantityColumn(f => f.Quantity);
        builder.HasPriceColumn(f => f.Price);
        builder.HasMoneyColumn(f => f.Commission);
        builder.HasMoneyColumn(f => f.RealizedProfitLoss);
        builder.HasOne<Portfolio>().WithMany().HasForeignKey(f => f.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => f.ExecutionId).IsUnique();
        builder.HasIndex(f => new { f.PortfolioId, f.ExecutedAt });
    }
}
