using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Positions;

/// <summary>
/// Holdings of one symbol in one portfolio; part of the portfolio aggregate and changed only through
/// <see cref="Portfolios.Portfolio.ApplyFill"/> (and <see cref="Portfolios.Portfolio.CorrectPosition"/> when the broker
/// says otherwise). <see cref="Quantity"/> is negative for a short and never zero (a
/// position at zero is closed and removed). <see cref="CostBasis"/> is signed like the quantity and is the number the
/// accounting keeps exact; the average entry price is derived from it.
/// </summary>
public sealed class Position
{
    private Position()
    {
        Symbol = string.Empty;
    }

    internal Position(Guid id, Guid portfolioId, string symbol, DateTimeOffset openedAt)
    {
        Id = id;
        PortfolioId = portfolioId;
        Symbol = symbol;
        OpenedAt = UpdatedAt = openedAt;
    }

    public Guid Id { get; private set; }

    public Guid PortfolioId { get; private set; }

    public string Symbol { get; private set; }

    public decimal Quantity { get; private set; }

    public decimal AverageEntryPrice { get; private set; }

    public decimal CostBasis { get; private set; }

    public decimal? LastPrice { get; private set; }

    /// <summary>Quantity × last price (negative for a short); null until a price is known.</summary>
    public decimal? MarketValue { get; private set; }

    public decimal? UnrealizedProfitLoss { get; private set; }

    /// <summary>Realized since this position was opened (the portfolio keeps the running total across positions).</summary>
    public decimal RealizedProfitLoss { get; private set; }

    public DateTimeOffset OpenedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public bool IsShort => Quantity < 0;

    /// <summary>Adds shares in the direction of the position (or opens it): the average entry price is re-weighted.</summary>
    internal void Increase(decimal signedQuantity, decimal price, DateTimeOffset at)
    {
        Quantity += signedQuantity;
        CostBasis = DecimalRounding.Money(CostBasis + (signedQuantity * price));
        AverageEntryPrice = DecimalRounding.Price(CostBasis / Quantity);
        Touch(at);
    }

    /// <summary>
    /// Takes <paramref name="closingQuantity"/> (signed against the position) off at <paramref name="price"/>, releases
    /// the matching share of the cost basis and returns the realized P&amp;L of those shares.
    /// </summary>
    internal decimal Reduce(decimal closingQuantity, decimal price, DateTimeOffset at)
    {
        var released = closingQuantity == -Quantity
            ? CostBasis
            : DecimalRounding.Money(CostBasis * Math.Abs(closingQuantity) / Math.Abs(Quantity));

        // Selling long shares receives proceeds; buying back a short pays them. Either way: what we got minus what it cost.
        var realized = DecimalRounding.Money(-(closingQuantity * price) - released);
        Quantity += closingQuantity;
        CostBasis -= released;
        AverageEntryPrice = Quantity == 0 ? AverageEntryPrice : DecimalRounding.Price(CostBasis / Quantity);
        RealizedProfitLoss += realized;
        Touch(at);
        return realized;
    }

    /// <summary>
    /// Takes the broker's holding as it is (position sync): its quantity and average entry price, the cost basis that
    /// follows from them. Realized P&amp;L stays: a correction is not a trade.
    /// </summary>
    internal void CorrectTo(decimal quantity, decimal averageEntryPrice, DateTimeOffset at)
    {
        Quantity = quantity;
        AverageEntryPrice = averageEntryPrice;
        CostBasis = DecimalRounding.Money(quantity * averageEntryPrice);
        Touch(at);
    }

    public void MarkToMarket(decimal price, DateTimeOffset at)
    {
        if (price <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "A price must be positive.");
        }

        LastPrice = price;
        UpdatedAt = at;
        Revalue();
    }

    private void Touch(DateTimeOffset at)
    {
        UpdatedAt = at;
        Revalue();
    }

    private void Revalue()
    {
        if (LastPrice is { } price)
        {
            MarketValue = DecimalRounding.Money(Quantity * price);
            UnrealizedProfitLoss = MarketValue - CostBasis;
        }
    }
}

internal sealed class PositionConfiguration : IEntityTypeConfiguration<Position>
{
    public void Configure(EntityTypeBuilder<Position> builder)
    {
        builder.ToTable("positions", t =>
        {
            t.HasCheckConstraint("ck_positions_quantity_not_zero", "quantity <> 0");
            t.HasCheckConstraint("ck_positions_average_entry_price_positive", "average_entry_price > 0");
            t.HasCheckConstraint("ck_positions_last_price_positive", "last_price IS NULL OR last_price > 0");
        });
        builder.Property(p => p.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.HasQuantityColumn(p => p.Quantity);
        builder.HasPriceColumn(p => p.AverageEntryPrice);
        builder.HasMoneyColumn(p => p.CostBasis);
        builder.HasPriceColumn(p => p.LastPrice);
        builder.HasMoneyColumn(p => p.MarketValue);
        builder.HasMoneyColumn(p => p.UnrealizedProfitLoss);
        builder.HasMoneyColumn(p => p.RealizedProfitLoss);
        builder.Ignore(p => p.IsShort);
        builder.HasIndex(p => new { p.PortfolioId, p.Symbol }).IsUnique();
    }
}
