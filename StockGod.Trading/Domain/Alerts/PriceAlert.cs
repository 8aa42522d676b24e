using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Alerts;

[JsonConverter(typeof(JsonStringEnumConverter<PriceAlertCondition>))]
public enum PriceAlertCondition
{
    [JsonStringEnumMemberName("above")] Above,
    [JsonStringEnumMemberName("below")] Below,

    /// <summary>The price moved by at least <see cref="PriceAlert.Threshold"/> percent (either way) from the reference price.</summary>
    [JsonStringEnumMemberName("percent_change")] PercentChange,
}

/// <summary>A one-shot price alert: it fires once when its condition holds, then stays inactive until re-armed.</summary>
public sealed class PriceAlert
{
    private PriceAlert()
    {
        Symbol = string.Empty;
    }

    public PriceAlert(Guid id, Guid userId, string symbol, PriceAlertCondition condition, decimal threshold, decimal? referencePrice, DateTimeOffset createdAt)
    {
        if (threshold <= 0)
        {
            throw new DomainException("An alert threshold must be positive.");
        }

        if (condition == PriceAlertCondition.PercentChange && referencePrice is not > 0)
        {
            throw new DomainException("A percent_change alert needs a positive reference price.");
        }

        Id = id;
        UserId = userId;
        Symbol = Symbols.Normalize(symbol);
        Condition = condition;
        Threshold = threshold;
        ReferencePrice = referencePrice;
        Active = true;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public string Symbol { get; private set; }

    public PriceAlertCondition Condition { get; private set; }

    /// <summary>A price for above/below; a percentage (5 = 5 %) for percent_change.</summary>
    public decimal Threshold { get; private set; }

    public decimal? ReferencePrice { get; private set; }

    public bool Active { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? TriggeredAt { get; private set; }

    public decimal? TriggeredPrice { get; private set; }

    /// <summary>Checks the condition against <paramref name="price"/>; when it holds the alert fires (once) and true is returned.</summary>
    public bool Evaluate(decimal price, DateTimeOffset at)
    {
        if (!Active || !ConditionHolds(price))
        {
            return false;
        }

        Active = false;
        TriggeredAt = at;
        TriggeredPrice = price;
        return true;
    }

    public void Rearm(decimal? referencePrice)
    {
        Active = true;
        TriggeredAt = null;
        TriggeredPrice = null;
        ReferencePrice = referencePrice ?? ReferencePrice;
    }

    /// <summary>Moves the threshold (and, for percent_change, the reference price) of an alert; its armed state is kept.</summary>
    public void ChangeThreshold(decimal threshold, decimal? referencePrice)
    {
        if (threshold <= 0)
        {
            throw new DomainException("An alert threshold must be positive.");
        }

        if (referencePrice is <= 0)
        {
            throw new DomainException("A reference price must be positive.");
        }

        Threshold = threshold;
        ReferencePrice = referencePrice ?? ReferencePrice;
    }

    /// <summary>Switches the alert off without it having fired.</summary>
    public void Disarm() => Active = false;

    private bool ConditionHolds(decimal price) => Condition switch
    {
        PriceAlertCondition.Above => price >= Threshold,
        PriceAlertCondition.Below => price <= Threshold,
        PriceAlertCondition.PercentChange => Math.Abs(price - ReferencePrice!.Value) * 100m / ReferencePrice.Value >= Threshold,
        _ => false,
    };
}

internal sealed class PriceAlertConfiguration : IEntityTypeConfiguration<PriceAlert>
{
    public void Configure(EntityTypeBuilder<PriceAlert> builder)
    {
        builder.ToTable("price_alerts", t =>
        {
            t.HasEnumCheck<PriceAlert, PriceAlertCondition>("condition");
            t.HasCheckConstraint("ck_price_alerts_threshold_positive", "threshold > 0");
            t.HasCheckConstraint("ck_price_alerts_reference_for_percent", "condition <> 'percent_change' OR reference_price > 0");
        });
        builder.Property(a => a.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.HasPriceColumn(a => a.Threshold);
        builder.HasPriceColumn(a => a.ReferencePrice);
        builder.HasPriceColumn(a => a.TriggeredPrice);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => a.UserId);

        // The alert job reads the active alerts by symbol on every tick.
        builder.HasIndex(a => a.Symbol).HasDatabaseName("ix_price_alerts_active_by_symbol").HasFilter("active");
    }
}
