using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Jobs;

[JsonConverter(typeof(JsonStringEnumConverter<ScheduledJobStatus>))]
public enum ScheduledJobStatus
{
    [JsonStringEnumMemberName("enabled")] Enabled,
    [JsonStringEnumMemberName("disabled")] Disabled,

    /// <summary>Failed too many times in a row: the Scheduler runs it no more until an operator resets it.</summary>
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>
/// A scheduled job's definition and health: counters, consecutive failures and a weighted moving average of its
/// duration, kept current by <see cref="Start"/>, <see cref="Complete"/> and <see cref="Fail"/>.
/// </summary>
public sealed class ScheduledJob
{
    public const int MaxNameLength = 100;

    /// <summary>Consecutive failures after which a job is switched off until an operator resets it.</summary>
    public const int DefaultErrorThreshold = 10;

    /// <summary>Weight of the newest duration in the moving average (older ones decay geometrically).</summary>
    public const double DurationWeight = 0.3;

    private ScheduledJob()
    {
        Name = JobType = string.Empty;
    }

    public ScheduledJob(Guid id, string name, string jobType, string? cronExpression, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(jobType);
        Id = id;
        Name = name;
        JobType = jobType;
        CronExpression = cronExpression;
        Status = ScheduledJobStatus.Enabled;
        CreatedAt = UpdatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    /// <summary>Unique, e.g. "sync-orders".</summary>
    public string Name { get; private set; }

    /// <summary>What runs, e.g. the job class name.</summary>
    public string JobType { get; private set; }

    /// <summary>Quartz cron expression in America/New_York, or null for jobs triggered otherwise.</summary>
    public string? CronExpression { get; set; }

    public ScheduledJobStatus Status { get; private set; }

    public DateTimeOffset? LastExecutionAt { get; private set; }

    public JobExecutionStatus? LastExecutionStatus { get; private set; }

    public string? LastErrorMessage { get; private set; }

    public long ExecutionCount { get; private set; }

    public long FailureCount { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    public double? AverageDurationMs { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    public void SetEnabled(bool enabled, DateTimeOffset at)
    {
        Status = enabled ? ScheduledJobStatus.Enabled : ScheduledJobStatus.Disabled;
        ConsecutiveFailures = enabled ? 0 : ConsecutiveFailures;
        UpdatedAt = at;
    }

    public JobExecution Start(Guid executionId, DateTimeOffset at, string? instanceId = null)
    {
        LastExecutionAt = at;
        LastExecutionStatus = JobExecutionStatus.Started;
        ExecutionCount++;
        UpdatedAt = at;
        return new JobExecution(executionId, Id, at, instanceId);
    }

    public void Complete(JobExecution execution, DateTimeOffset at, System.Text.Json.JsonDocument? metadata = null)
    {
        execution.Finish(JobExecutionStatus.Completed, at, errorMessage: null, metadata);
        LastExecutionStatus = JobExecutionStatus.Completed;
        ConsecutiveFailures = 0;
        if (Status == ScheduledJobStatus.Error)
        {
            Status = ScheduledJobStatus.Enabled;
        }

        RecordDuration(execution);
        UpdatedAt = at;
    }

    /// <summary>Books a failure; after <paramref name="errorThreshold"/> in a row the job's status becomes error.</summary>
    public void Fail(JobExecution execution, DateTimeOffset at, string errorMessage, System.Text.Json.JsonDocument? metadata = null, int errorThreshold = DefaultErrorThreshold)
    {
        execution.Finish(JobExecutionStatus.Failed, at, errorMessage, metadata);
        LastExecutionStatus = JobExecutionStatus.Failed;
        LastErrorMessage = execution.ErrorMessage;
        FailureCount++;
        ConsecutiveFailures++;
        if (ConsecutiveFailures >= errorThreshold && Status == ScheduledJobStatus.Enabled)
        {
            Status = ScheduledJobStatus.Error;
        }

        RecordDuration(execution);
        UpdatedAt = at;
    }

    /// <summary>
    /// Books a run whose Scheduler process died under it (found by a surviving replica): a failed execution, but no
    /// evidence against the job, so the circuit breaker's consecutive failures stay as they are (a crash loop of the
    /// process, a node lost, a kill -9 must not leave trading switched off until an operator resets it; Quartz redoes
    /// the run anyway). Its duration, which ends when the death was noticed, stays out of the average.
    /// </summary>
    public void Abandon(JobExecution execution, DateTimeOffset at, string errorMessage)
    {
        execution.Finish(JobExecutionStatus.Failed, at, errorMessage, metadata: null);
        FailureCount++;
        if (LastExecutionAt is not { } last || execution.StartedAt >= last)
        {
            // Only when it is the job's latest run: a later run's outcome is not overwritten.
            LastExecutionStatus = JobExecutionStatus.Failed;
            LastErrorMessage = execution.ErrorMessage;
        }

        UpdatedAt = at;
    }

    private void RecordDuration(JobExecution execution)
    {
        var duration = (double)execution.DurationMs!.Value;
        AverageDurationMs = AverageDurationMs is { } average
            ? (DurationWeight * duration) + ((1 - DurationWeight) * average)
            : duration;
    }
}

internal sealed class ScheduledJobConfiguration : IEntityTypeConfiguration<ScheduledJob>
{
    public void Configure(EntityTypeBuilder<ScheduledJob> builder)
    {
        builder.ToTable("scheduled_jobs", t =>
        {
            t.HasEnumCheck<ScheduledJob, ScheduledJobStatus>("status");
            t.HasCheckConstraint("ck_scheduled_jobs_counters", "execution_count >= 0 AND failure_count >= 0 AND consecutive_failures >= 0 AND failure_count <= execution_count");
        });
        builder.Property(j => j.Name).HasMaxLength(ScheduledJob.MaxNameLength);
        builder.Property(j => j.JobType).HasMaxLength(200);
        builder.Property(j => j.CronExpression).HasMaxLength(120);
        builder.Property(j => j.LastErrorMessage).HasMaxLength(JobExecution.MaxErrorMessageLength);
        builder.Property(j => j.Version).IsRowVersion();
        builder.HasIndex(j => j.Name).IsUnique();
    }
}
