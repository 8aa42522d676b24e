using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Reconciliation;

[JsonConverter(typeof(JsonStringEnumConverter<DiscrepancyKind>))]
public enum DiscrepancyKind
{
    /// <summary>The broker holds a position we do not have.</summary>
    [JsonStringEnumMemberName("missing_locally")] MissingLocally,

    /// <summary>We hold a position the broker does not have.</summary>
    [JsonStringEnumMemberName("missing_at_broker")] MissingAtBroker,

    [JsonStringEnumMemberName("quantity_mismatch")] QuantityMismatch,

    /// <summary>Same quantity, different average entry price.</summary>
    [JsonStringEnumMemberName("average_price_mismatch")] AveragePriceMismatch,
}

/// <summary>A difference between our positions and the broker's, found by position sync and kept until resolved.</summary>
public sealed class PositionDiscrepancy
{
    public const int MaxResolutionLength = 1000;

    /// <summary>The resolution of a discrepancy position sync fixed by taking the broker's holding.</summary>
    public const string CorrectedToBroker = "corrected_to_broker";

    private PositionDiscrepancy()
    {
        Symbol = string.Empty;
    }

    public PositionDiscrepancy(Guid id, Guid portfolioId, string symbol, decimal localQuantity, decimal brokerQuantity, decimal? localAverageEntryPrice, decimal? brokerAverageEntryPrice, DateTimeOffset detectedAt)
    {
        if (localQuantity == brokerQuantity && localAverageEntryPrice == brokerAverageEntryPrice)
        {
            throw new DomainException("Equal quantities and average prices are not a discrepancy.");
        }

        Id = id;
        PortfolioId = portfolioId;
        Symbol = Symbols.Normalize(symbol);
        LocalQuantity = localQuantity;
        BrokerQuantity = brokerQuantity;
        LocalAverageEntryPrice = localAverageEntryPrice;
        BrokerAverageEntryPrice = brokerAverageEntryPrice;
        Kind = KindOf(localQuantity, brokerQuantity);
        DetectedAt = detectedAt;
    }

    public Guid Id { get; private set; }

    public Guid PortfolioId { get; private set; }

    public string Symbol { get; private set; }

    public DiscrepancyKind Kind { get; private set; }

    public decimal LocalQuantity { get; private set; }

    public decimal BrokerQuantity { get; private set; }

    public decimal? LocalAverageEntryPrice { get; private set; }

    public decimal? BrokerAverageEntryPrice { get; private set; }

    public DateTimeOffset DetectedAt { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public string? Resolution { get; private set; }

    public bool IsResolved => ResolvedAt is not null;

    /// <summary>Sync found the same symbol still differing: record the latest figures on the open discrepancy.</summary>
    public void Refresh(decimal localQuantity, decimal brokerQuantity, DateTimeOffset at)
    {
        if (localQuantity == brokerQuantity)
        {
            throw new DomainException("Equal quantities are not a discrepancy; resolve it instead.");
        }

        LocalQuantity = localQuantity;
        BrokerQuantity = brokerQuantity;
        Kind = KindOf(localQuantity, brokerQuantity);
        DetectedAt = at;
    }

    /// <summary>
    /// A difference position sync found and fixed at once by taking the broker's holding: recorded with ours before
    /// (local) and the broker's after, and resolved.
    /// </summary>
    public static PositionDiscrepancy Corrected(Guid id, Guid portfolioId, PositionCorrection correction, DateTimeOffset at)
    {
        var discrepancy = new PositionDiscrepancy(
            id, portfolioId, correction.Symbol, correction.LocalQuantity, correction.BrokerQuantity,
            correction.LocalAverageEntryPrice, correction.BrokerAverageEntryPrice, at);
        discrepancy.Resolve(CorrectedToBroker, at);
        return discrepancy;
    }

    private static DiscrepancyKind KindOf(decimal localQuantity, decimal brokerQuantity) =>
        localQuantity == brokerQuantity ? DiscrepancyKind.AveragePriceMismatch
        : localQuantity == 0 ? DiscrepancyKind.MissingLocally
        : brokerQuantity == 0 ? DiscrepancyKind.MissingAtBroker
        : DiscrepancyKind.QuantityMismatch;

    public void Resolve(string resolution, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resolution);
        ResolvedAt = at;
        Resolution = resolution.Length > MaxResolutionLength ? resolution[..MaxResolutionLength] : resolution;
    }
}

internal sealed class PositionDiscrepancyConfiguration : IEntityTypeConfiguration<PositionDiscrepancy>
{
    public void Configure(EntityTypeBuilder<PositionDiscrepancy> builder)
    {
        builder.ToTable("position_discrepancies", t =>
        {
            t.HasEnumCheck<PositionDiscrepancy, DiscrepancyKind>("kind");
            t.HasCheckConstraint(
                "ck_position_discrepancies_differs",
                "local_quantity <> broker_quantity OR local_average_entry_price IS DISTINCT FROM broker_average_entry_price");
        });
        builder.Property(d => d.Symbol).HasMaxLength(Symbols.MaxLength);
        builder.Property(d => d.Resolution).HasMaxLength(PositionDiscrepancy.MaxResolutionLength);
        builder.HasQuantityColumn(d => d.LocalQuantity);
        builder.HasQuantityColumn(d => d.BrokerQuantity);
        builder.HasPriceColumn(d => d.LocalAverageEntryPrice);
        builder.HasPriceColumn(d => d.BrokerAverageEntryPrice);
        builder.Ignore(d => d.IsResolved);
        builder.HasOne<Portfolio>().WithMany().HasForeignKey(d => d.PortfolioId).OnDelete(DeleteBehavior.Cascade);

        // One open discrepancy per portfolio and symbol: sync updates it rather than piling up duplicates.
        builder.HasIndex(d => new { d.PortfolioId, d.Symbol }).IsUnique().HasDatabaseName("ix_position_discrepancies_unresolved").HasFilter("resolved_at IS NULL");
        builder.HasIndex(d => new { d.PortfolioId, d.DetectedAt }).IsDescending(false, true);
    }
}
