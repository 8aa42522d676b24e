using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Persistence;
using StockGod.Trading.Screening;

namespace StockGod.Trading.Domain.Research;

[JsonConverter(typeof(JsonStringEnumConverter<ScreeningWorkItemStatus>))]
public enum ScreeningWorkItemStatus
{
    /// <summary>Waiting for a worker (again, after a failed attempt, once <see cref="ScreeningWorkItem.AvailableAt"/> passed).</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>Held by <see cref="ScreeningWorkItem.LeaseOwner"/> until <see cref="ScreeningWorkItem.LeaseExpiresAt"/>.</summary>
    [JsonStringEnumMemberName("running")] Running,

    [JsonStringEnumMemberName("completed")] Completed,

    /// <summary>Failed on every allowed attempt: its run failed.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// A durable chunk of a <see cref="ScreeningRun"/>: the universe members it scores and, once done, their raw factor
/// values. A worker holds it under a lease; a worker that dies loses it when the lease expires.
/// </summary>
public sealed class ScreeningWorkItem
{
    public const int MaxLeaseOwnerLength = 200;
    public const int MaxErrorLength = 4000;

    private ScreeningWorkItem()
    {
        Members = null!;
    }

    public ScreeningWorkItem(Guid id, Guid runId, int index, IReadOnlyList<UniverseMember> members, DateTimeOffset availableAt)
    {
        ArgumentNullException.ThrowIfNull(members);
        Id = id;
        RunId = runId;
        Index = index;
        Members = members;
        AvailableAt = availableAt;
        Status = ScreeningWorkItemStatus.Pending;
    }

    public Guid Id { get; private set; }

    public Guid RunId { get; private set; }

    /// <summary>Position of the chunk in the run (0-based), for messages and an orderly claim order.</summary>
    public int Index { get; private set; }

    public IReadOnlyList<UniverseMember> Members { get; private set; }

    public ScreeningWorkItemStatus Status { get; private set; }

    /// <summary>Claims so far (a lease that expired counts as an attempt).</summary>
    public int Attempts { get; private set; }

    /// <summary>A pending item is not claimed before this instant (the back-off after a failed attempt).</summary>
    public DateTimeOffset AvailableAt { get; private set; }

    public string? LeaseOwner { get; private set; }

    public DateTimeOffset? LeaseExpiresAt { get; private set; }

    public string? LastError { get; private set; }

    public ScreeningChunkResult? Result { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>Whether a worker may take it at <paramref name="now"/>: pending and due, or running under an expired lease.</summary>
    public bool IsClaimable(DateTimeOffset now) =>
        (Status == ScreeningWorkItemStatus.Pending && AvailableAt <= now)
        || (Status == ScreeningWorkItemStatus.Running && LeaseExpiresAt < now);

    public bool IsHeldBy(string owner) => Status == ScreeningWorkItemStatus.Running && LeaseOwner == owner;

    internal void Claim(string owner, DateTimeOffset now, TimeSpan lease)
    {
        if (!IsClaimable(now))
        {
            throw new DomainException($"Screening chunk {Index} of run {RunId} is not claimable ({Status}).");
        }

        if (Status == ScreeningWorkItemStatus.Running)
        {
            LastError = $"lease of {LeaseOwner} expired at {LeaseExpiresAt:O}";
        }

        Status = ScreeningWorkItemStatus.Running;
        Attempts++;
        LeaseOwner = owner.Length > MaxLeaseOwnerLength ? owner[..MaxLeaseOwnerLength] : owner;
        LeaseExpiresAt = now + lease;
    }

    internal void Complete(ScreeningChunkResult result, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(result);
        Status = ScreeningWorkItemStatus.Completed;
        Result = result;
        CompletedAt = at;
        LeaseOwner = null;
        LeaseExpiresAt = null;
    }

    /// <summary>Gives the item back after a failed attempt; it may be claimed again from <paramref name="retryAt"/>.</summary>
    internal void Release(string error, DateTimeOffset retryAt)
    {
        Status = ScreeningWorkItemStatus.Pending;
        LastError = Truncate(error);
        AvailableAt = retryAt;
        LeaseOwner = null;
        LeaseExpiresAt = null;
    }

    internal void Fail(string error)
    {
        Status = ScreeningWorkItemStatus.Failed;
        LastError = Truncate(error);
        LeaseOwner = null;
        LeaseExpiresAt = null;
    }

    private static string Truncate(string error) => error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
}

internal sealed class ScreeningWorkItemConfiguration : IEntityTypeConfiguration<ScreeningWorkItem>
{
    public void Configure(EntityTypeBuilder<ScreeningWorkItem> builder)
    {
        builder.ToTable("screening_work_items", t =>
        {
            t.HasEnumCheck<ScreeningWorkItem, ScreeningWorkItemStatus>("status");
            t.HasCheckConstraint("ck_screening_work_items_lease", "(status = 'running') = (lease_expires_at IS NOT NULL AND lease_owner IS NOT NULL)");
            t.HasCheckConstraint("ck_screening_work_items_completed_has_result", "status <> 'completed' OR result IS NOT NULL");
            t.HasCheckConstraint("ck_screening_work_items_attempts", "attempts >= 0");
        });
        builder.Property(i => i.Members).HasColumnType("jsonb").HasConversion(ScreeningJson.Converter<IReadOnlyList<UniverseMember>>());
        builder.Property(i => i.Result).HasColumnType("jsonb").HasConversion(ScreeningJson.Converter<ScreeningChunkResult?>());
        builder.Property(i => i.LeaseOwner).HasMaxLength(ScreeningWorkItem.MaxLeaseOwnerLength);
        builder.Property(i => i.LastError).HasMaxLength(ScreeningWorkItem.MaxErrorLength);
        builder.HasOne<ScreeningRun>().WithMany().HasForeignKey(i => i.RunId).OnDelete(DeleteBehavior.Cascade);
        // Also the claim query's order (oldest run first, chunks in order).
        builder.HasIndex(i => new { i.RunId, i.Index }).IsUnique();
    }
}
