using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Persistence;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Domain.Signals;

/// <summary>What a strategy concluded for one symbol at one evaluation; orders point back at the signal that caused them.</summary>
public sealed class Signal
{
    public const int MaxReasonLength = 1000;

    private Signal()
    {
        Symbol = Reason = string.Empty;
    }

    public Signal(Guid id, Guid strategyId, Guid portfolioId, string symbol, SignalAction action, decimal strength, string reason, decimal? price, DateTimeOffset generatedAt)
    {
        if (strength is < 0 or > 1)
        {
            throw new DomainException("A signal's strength is between 0 and 1.");
        }

        Id = id;
        StrategyId = strategyId;
        PortfolioId = portfolioId;
        Symbol = Symbols.Normalize(symbol);
        Action = action;
        Strength = strength;
        Reason = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
        Price = price;
        GeneratedAt = generatedAt;
    }

    public Guid Id { get; private set; }

    public Guid StrategyId { get; private set; }

    public Guid PortfolioId { get; private set; }

    public string Symbol { get; private set; }

    public SignalAction Action { get; private set; }

    /// <summary>Confidence from 0 to 1.</summary>
    public decimal Strength { get; private set; }

    public string Reason { get; private set; }

    /// <summary>The price the strategy saw.</summary>
    public decimal? Price { get; private set; }

    public DateTimeOffset GeneratedAt { get; private set; }
}

internal sealed class SignalConfiguration : IEntityTypeConfiguration<Signal>
{
    public void Configure(EntityTypeBuilder<Signal> builder)
    {
        builder.ToTable("signals", t =>
        {
            t.HasEnumCheck<Signal, SignalAction>("action");
            t.HasCheckConstraint("ck_signals_strength_range", "strength >= 0 AND strength <= 1");
        });
        builder.Property(s => s.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.Property(s => s.Reason).HasMaxLength(Signal.MaxReasonLength);
        builder.Property(s => s.Strength).HasColumnType(ColumnTypes.Ratio);
        builder.HasPriceColumn(s => s.Price);
        builder.HasOne<StrategyDefinition>().WithMany().HasForeignKey(s => s.StrategyId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Portfolio>().WithMany().HasForeignKey(s => s.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.StrategyId, s.GeneratedAt }).IsDescending(false, true);
        builder.HasIndex(s => new { s.PortfolioId, s.GeneratedAt }).IsDescending(false, true);
    }
}
