using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;

namespace StockGod.Trading.Domain.Strategies;

/// <summary>
/// A strategy as a user configured it for a portfolio: which algorithm (<see cref="StrategyType"/>, resolved by the
/// Strategies folder), its parameters as JSON (validated by the StrategyRegistry), the symbols it trades, and the risk limits the
/// PositionSizer applies.
/// </summary>
public sealed class StrategyDefinition
{
    public const int MaxNameLength = 100;
    public const int MaxStrategyTypeLength = 64;

    private StrategyDefinition()
    {
        Name = StrategyType = string.Empty;
        Parameters = null!;
        Symbols = [];
        RiskLimits = null!;
    }

    public StrategyDefinition(Guid id, Guid portfolioId, string name, string strategyType, JsonDocument parameters, IEnumerable<string> symbols, RiskLimits riskLimits, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(strategyType);
        Id = id;
        PortfolioId = portfolioId;
        Name = name.Trim();
        StrategyType = strategyType.Trim();
        Parameters = parameters;
        Symbols = NormalizeUniverse(symbols);
        RiskLimits = riskLimits;
        CreatedAt = UpdatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid PortfolioId { get; private set; }

    public string Name { get; private set; }

    /// <summary>The algorithm's registered name, e.g. "sma_crossover".</summary>
    public string StrategyType { get; private set; }

    public JsonDocument Parameters { get; private set; }

    /// <summary>The symbol universe, normalized, sorted and distinct.</summary>
    public List<string> Symbols { get; private set; }

    public RiskLimits RiskLimits { get; private set; }

    public bool Enabled { get; private set; }

    public DateTimeOffset? LastEvaluatedAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public void Update(JsonDocument parameters, IEnumerable<string> symbols, RiskLimits riskLimits, DateTimeOffset at)
    {
        Parameters = parameters;
        Symbols = NormalizeUniverse(symbols);
        RiskLimits = riskLimits;
        UpdatedAt = at;
    }

    public void SetEnabled(bool enabled, DateTimeOffset at)
    {
        Enabled = enabled;
        UpdatedAt = at;
    }

    public void MarkEvaluated(DateTimeOffset at) => LastEvaluatedAt = at;

    private static List<string> NormalizeUniverse(IEnumerable<string> symbols)
    {
        var universe = symbols.Select(Domain.Symbols.Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return universe.Count == 0 ? throw new DomainException("A strategy needs at least one symbol.") : universe;
    }
}

internal sealed class StrategyDefinitionConfiguration : IEntityTypeConfiguration<StrategyDefinition>
{
    public void Configure(EntityTypeBuilder<StrategyDefinition> builder)
    {
        builder.ToTable("strategies", t =>
        {
            t.HasCheckConstraint("ck_strategies_symbols_not_empty", "cardinality(symbols) > 0");
            t.HasCheckConstraint("ck_strategies_max_position_fraction", "risk_max_position_fraction > 0 AND risk_max_position_fraction <= 1");
            t.HasCheckConstraint("ck_strategies_max_order_value", "risk_max_order_value > 0");
            t.HasCheckConstraint("ck_strategies_cash_buffer_fraction", "risk_cash_buffer_fraction >= 0 AND risk_cash_buffer_fraction < 1");
            t.HasCheckConstraint("ck_strategies_max_open_positions", "risk_max_open_positions > 0");
        });
        builder.Property(s => s.Name).HasMaxLength(StrategyDefinition.MaxNameLength);
        builder.Property(s => s.StrategyType).HasMaxLength(StrategyDefinition.MaxStrategyTypeLength);
        builder.Property(s => s.Parameters).HasColumnType("jsonb");
        builder.Property(s => s.Symbols).HasColumnType("text[]");
        builder.Property(s => s.Version).IsRowVersion();
        builder.ComplexProperty(s => s.RiskLimits, risk =>
        {
            risk.Property(r => r.MaxPositionFraction).HasColumnName("risk_max_position_fraction").HasColumnType(ColumnTypes.Ratio);
            risk.Property(r => r.MaxOrderValue).HasColumnName("risk_max_order_value").HasColumnType(ColumnTypes.Money);
            risk.Property(r => r.CashBufferFraction).HasColumnName("risk_cash_buffer_fraction").HasColumnType(ColumnTypes.Ratio);
            risk.Property(r => r.MaxOpenPositions).HasColumnName("risk_max_open_positions");
        });
        builder.HasOne<Portfolio>().WithMany().HasForeignKey(s => s.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.PortfolioId, s.Name }).IsUnique();
        builder.HasIndex(s => s.PortfolioId).HasDatabaseName("ix_strategies_enabled").HasFilter("enabled");
    }
}
