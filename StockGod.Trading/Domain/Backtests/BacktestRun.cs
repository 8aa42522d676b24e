using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;

namespace StockGod.Trading.Domain.Backtests;

[JsonConverter(typeof(JsonStringEnumConverter<BacktestRunStatus>))]
public enum BacktestRunStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("canceled")] Canceled,
}

/// <summary>What a cancel request did to a run.</summary>
public enum BacktestCancelOutcome
{
    /// <summary>A queued run: canceled on the spot.</summary>
    Canceled,

    /// <summary>A running run: its runner stops it at its next heartbeat.</summary>
    Requested,

    /// <summary>Already completed, failed or canceled: nothing to stop.</summary>
    AlreadyFinished,
}

/// <summary>
/// A backtest a user asked for, run asynchronously by any Api replica. A runner claims a queued run (or a running one
/// whose lease expired: its runner died) for a lease it keeps renewing while it works; whoever holds the lease is the
/// only one that may finish the run. Settings are stored as the user gave them, so a reclaimed run repeats exactly.
/// </summary>
public sealed class BacktestRun
{
    public const int MaxStrategyTypeLength = 64;
    public const int MaxErrorLength = 4000;
    public const int MaxLeaseOwnerLength = 200;

    private BacktestRun()
    {
        StrategyType = string.Empty;
        Parameters = null!;
        Universe = [];
        RiskLimits = null!;
    }

    public BacktestRun(
        Guid id,
        Guid ownerUserId,
        string strategyType,
        JsonDocument parameters,
        IEnumerable<string> universe,
        DateOnly startDate,
        DateOnly endDate,
        decimal initialCash,
        decimal slippageBps,
        PerShareCommission commission,
        RiskLimits riskLimits,
        decimal riskFreeRate,
        DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(strategyType);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(commission);
        ArgumentNullException.ThrowIfNull(riskLimits);
        Id = id;
        OwnerUserId = ownerUserId;
        StrategyType = strategyType;
        Parameters = parameters;
        Universe = [.. universe.Select(Symbols.Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (Universe.Count == 0)
        {
            throw new DomainException("A backtest needs at least one symbol.");
        }

        if (endDate < startDate)
        {
            throw new DomainException("A backtest's end date cannot be before its start date.");
        }

        StartDate = startDate;
        EndDate = endDate;
        InitialCash = initialCash;
        SlippageBps = slippageBps;
        CommissionPerShare = commission.PerShare;
        CommissionMinimum = commission.Minimum;
        CommissionMaxShareOfValue = commission.MaxShareOfValue;
        RiskLimits = riskLimits;
        RiskFreeRate = riskFreeRate;
        Status = BacktestRunStatus.Queued;
        CreatedAt = UpdatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid OwnerUserId { get; private set; }

    /// <summary>The strategy's registered name, e.g. "sma_crossover".</summary>
    public string StrategyType { get; private set; }

    /// <summary>The strategy's parameters as the StrategyRegistry reads them (camelCase JSON).</summary>
    public JsonDocument Parameters { get; private set; }

    /// <summary>Normalized, distinct, sorted symbols.</summary>
    public List<string> Universe { get; private set; }

    public DateOnly StartDate { get; private set; }

    public DateOnly EndDate { get; private set; }

    public decimal InitialCash { get; private set; }

    public decimal SlippageBps { get; private set; }

    public decimal CommissionPerShare { get; private set; }

    public decimal CommissionMinimum { get; private set; }

    public decimal CommissionMaxShareOfValue { get; private set; }

    public RiskLimits RiskLimits { get; private set; }

    public decimal RiskFreeRate { get; private set; }

    public BacktestRunStatus Status { get; private set; }

    /// <summary>Trading days simulated so far, of <see cref="TotalDays"/> (0 until the runner knows).</summary>
    public int DaysDone { get; private set; }

    public int TotalDays { get; private set; }

    public bool CancelRequested { get; private set; }

    /// <summary>How many times a runner claimed it; a run whose runners keep dying is failed instead of retried forever.</summary>
    public int Attempts { get; private set; }

    public string? LeaseOwner { get; private set; }

    public DateTimeOffset? LeaseExpiresAt { get; private set; }

    public string? Error { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public bool IsFinished => Status is BacktestRunStatus.Completed or BacktestRunStatus.Failed or BacktestRunStatus.Canceled;

    public decimal Progress => Status == BacktestRunStatus.Completed ? 1m : TotalDays == 0 ? 0m : (decimal)DaysDone / TotalDays;

    public PerShareCommission Commission => new(CommissionPerShare, CommissionMinimum, CommissionMaxShareOfValue);

    /// <summary>Whether a runner may claim it now: queued, or running under a lease that has expired.</summary>
    public bool IsClaimable(DateTimeOffset now) =>
        Status == BacktestRunStatus.Queued || (Status == BacktestRunStatus.Running && LeaseExpiresAt is { } expires && expires <= now);

    public void Claim(string owner, DateTimeOffset now, TimeSpan leaseDuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        if (!IsClaimable(now))
        {
            throw new DomainException($"Backtest {Id} is {Status} and cannot be claimed.");
        }

        Status = BacktestRunStatus.Running;
        LeaseOwner = owner;
        LeaseExpiresAt = now + leaseDuration;
        StartedAt ??= now;
        DaysDone = 0;
        Attempts++;
        UpdatedAt = now;
    }

    public BacktestCancelOutcome RequestCancel(DateTimeOffset now)
    {
        switch (Status)
        {
            case BacktestRunStatus.Queued:
                Finish(BacktestRunStatus.Canceled, now, null);
                return BacktestCancelOutcome.Canceled;
            case BacktestRunStatus.Running:
                CancelRequested = true;
                UpdatedAt = now;
                return BacktestCancelOutcome.Requested;
            default:
                return BacktestCancelOutcome.AlreadyFinished;
        }
    }

    public void Complete(string owner, DateTimeOffset now)
    {
        EnsureHeldBy(owner);
        DaysDone = TotalDays;
        Finish(BacktestRunStatus.Completed, now, null);
    }

    public void Fail(string owner, string error, DateTimeOffset now)
    {
        EnsureHeldBy(owner);
        Finish(BacktestRunStatus.Failed, now, error);
    }

    /// <summary>
    /// Finishes a run whose runner died, instead of running it again: canceled when its owner had asked for that,
    /// failed with <paramref name="error"/> otherwise (its runners kept dying). Needs no lease: the old one expired.
    /// </summary>
    public void Abandon(string error, DateTimeOffset now)
    {
        if (Status != BacktestRunStatus.Running || !IsClaimable(now))
        {
            throw new DomainException($"Backtest {Id} is {Status} under a live lease and cannot be abandoned.");
        }

        if (CancelRequested)
        {
            Finish(BacktestRunStatus.Canceled, now, null);
        }
        else
        {
            Finish(BacktestRunStatus.Failed, now, error);
        }
    }

    public void ConfirmCanceled(string owner, DateTimeOffset now)
    {
        EnsureHeldBy(owner);
        Finish(BacktestRunStatus.Canceled, now, null);
    }

    /// <summary>Gives a run back to the queue (its runner is shutting down), so another replica starts it at once.</summary>
    public void Release(string owner, DateTimeOffset now)
    {
        EnsureHeldBy(owner);
        Status = BacktestRunStatus.Queued;
        LeaseOwner = null;
        LeaseExpiresAt = null;
        DaysDone = 0;
        UpdatedAt = now;
    }

    public bool IsHeldBy(string owner) => Status == BacktestRunStatus.Running && LeaseOwner == owner;

    /// <summary>The engine's settings for this run.</summary>
    public BacktestSettings ToSettings() => new()
    {
        StrategyType = StrategyType,
        ParametersJson = Parameters.RootElement.GetRawText(),
        Universe = Universe,
        Start = StartDate,
        End = EndDate,
        InitialCash = InitialCash,
        SlippageBps = SlippageBps,
        Commission = Commission.ToModel(),
        Limits = RiskLimits,
        RiskFreeRate = RiskFreeRate,
    };

    private void EnsureHeldBy(string owner)
    {
        if (!IsHeldBy(owner))
        {
            throw new DomainException($"Backtest {Id} is not held by {owner}.");
        }
    }

    private void Finish(BacktestRunStatus status, DateTimeOffset now, string? error)
    {
        Status = status;
        Error = error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error;
        FinishedAt = UpdatedAt = now;
        LeaseOwner = null;
        LeaseExpiresAt = null;
    }
}

/// <summary>A per-share commission with a minimum per execution and a cap as a share of the value; all zero = free.</summary>
public sealed record PerShareCommission(decimal PerShare, decimal Minimum, decimal MaxShareOfValue)
{
    public static PerShareCommission Free { get; } = new(0m, 0m, 0m);

    public ICommissionModel ToModel() =>
        PerShare == 0m && Minimum == 0m ? ZeroCommissionModel.Instance : new PerShareCommissionModel(PerShare, Minimum, MaxShareOfValue);
}

internal sealed class BacktestRunConfiguration : IEntityTypeConfiguration<BacktestRun>
{
    public void Configure(EntityTypeBuilder<BacktestRun> builder)
    {
        builder.ToTable("backtest_runs", t =>
        {
            t.HasEnumCheck<BacktestRun, BacktestRunStatus>("status");
            t.HasCheckConstraint("ck_backtest_runs_universe_not_empty", "cardinality(universe) > 0");
            t.HasCheckConstraint("ck_backtest_runs_dates", "end_date >= start_date");
            t.HasCheckConstraint("ck_backtest_runs_initial_cash", "initial_cash > 0");
            t.HasCheckConstraint("ck_backtest_runs_running_has_lease", "status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)");
            t.HasCheckConstraint("ck_backtest_runs_finished_has_end", "status NOT IN ('completed', 'failed', 'canceled') OR finished_at IS NOT NULL");
        });
        builder.Property(r => r.StrategyType).HasMaxLength(BacktestRun.MaxStrategyTypeLength);
        builder.Property(r => r.Parameters).HasColumnType("jsonb");
        builder.Property(r => r.Universe).HasColumnType("text[]");
        builder.HasMoneyColumn(r => r.InitialCash);
        builder.Property(r => r.SlippageBps).HasColumnType(ColumnTypes.Ratio);
        builder.HasMoneyColumn(r => r.CommissionPerShare);
        builder.HasMoneyColumn(r => r.CommissionMinimum);
        builder.Property(r => r.CommissionMaxShareOfValue).HasColumnType(ColumnTypes.Ratio);
        builder.Property(r => r.RiskFreeRate).HasColumnType(ColumnTypes.Ratio);
        builder.ComplexProperty(r => r.RiskLimits, risk =>
        {
            risk.Property(r => r.MaxPositionFraction).HasColumnName("risk_max_position_fraction").HasColumnType(ColumnTypes.Ratio);
            risk.Property(r => r.MaxOrderValue).HasColumnName("risk_max_order_value").HasColumnType(ColumnTypes.Money);
            risk.Property(r => r.CashBufferFraction).HasColumnName("risk_cash_buffer_fraction").HasColumnType(ColumnTypes.Ratio);
            risk.Property(r => r.MaxOpenPositions).HasColumnName("risk_max_open_positions");
        });
        builder.Property(r => r.LeaseOwner).HasMaxLength(BacktestRun.MaxLeaseOwnerLength);
        builder.Property(r => r.Error).HasMaxLength(BacktestRun.MaxErrorLength);
        builder.Property(r => r.Version).IsRowVersion();
        builder.Ignore(r => r.IsFinished);
        builder.Ignore(r => r.Progress);
        builder.Ignore(r => r.Commission);

        builder.HasOne<User>().WithMany().HasForeignKey(r => r.OwnerUserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.OwnerUserId, r.Id }).IsDescending(false, true);

        // What runners scan for work: the few unfinished runs, oldest first.
        builder.HasIndex(r => r.CreatedAt).HasDatabaseName("ix_backtest_runs_unfinished").HasFilter("status IN ('queued', 'running')");
    }
}
