using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Snapshots;

/// <summary>A portfolio's value at the end of one trading date (New York); one per portfolio and date.</summary>
public sealed class PortfolioSnapshot
{
    private PortfolioSnapshot()
    {
    }

    public PortfolioSnapshot(Guid id, Guid portfolioId, DateOnly tradingDate, decimal cash, decimal positionsValue, decimal realizedProfitLoss, int positionCount, DateTimeOffset takenAt)
    {
        Id = id;
        PortfolioId = portfolioId;
        TradingDate = tradingDate;
        Cash = cash;
        PositionsValue = positionsValue;
        TotalValue = cash + positionsValue;
        RealizedProfitLoss = realizedProfitLoss;
        PositionCount = positionCount;
        TakenAt = takenAt;
    }

    public Guid Id { get; private set; }

    public Guid PortfolioId { get; private set; }

    public DateOnly TradingDate { get; private set; }

    public decimal TotalValue { get; private set; }

    public decimal Cash { get; private set; }

    public decimal PositionsValue { get; private set; }

    /// <summary>The portfolio's cumulative realized P&amp;L at the time of the snapshot.</summary>
    public decimal RealizedProfitLoss { get; private set; }

    public int PositionCount { get; private set; }

    public DateTimeOffset TakenAt { get; private set; }

    public static PortfolioSnapshot Of(Guid id, Portfolio portfolio, DateOnly tradingDate, DateTimeOffset takenAt) =>
        new(id, portfolio.Id, tradingDate, portfolio.Cash, portfolio.PositionsValue, portfolio.RealizedProfitLoss, portfolio.Positions.Count, takenAt);
}

internal sealed class PortfolioSnapshotConfiguration : IEntityTypeConfiguration<PortfolioSnapshot>
{
    public void Configure(EntityTypeBuilder<PortfolioSnapshot> builder)
    {
        builder.ToTable("portfolio_snapshots", t =>
        {
            t.HasCheckConstraint("ck_portfolio_snapshots_total", "total_value = cash + positions_value");
            t.HasCheckConstraint("ck_portfolio_snapshots_position_count", "position_count >= 0");
        });
        builder.HasMoneyColumn(s => s.TotalValue);
        builder.HasMoneyColumn(s => s.Cash);
        builder.HasMoneyColumn(s => s.PositionsValue);
        builder.HasMoneyColumn(s => s.RealizedProfitLoss);
        builder.HasOne<Portfolio>().WithMany().HasForeignKey(s => s.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.PortfolioId, s.TradingDate }).IsUnique();
    }
}
