using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Jobs;

[JsonConverter(typeof(JsonStringEnumConverter<JobExecutionStatus>))]
public enum JobExecutionStatus
{
    [JsonStringEnumMemberName("started")] Started,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>One run of a scheduled job, created by <see cref="ScheduledJob.Start"/>.</summary>
public sealed class JobExecution
{
    public const int MaxErrorMessageLength = 4000;

    private JobExecution()
    {
    }

    internal JobExecution(Guid id, Guid jobId, DateTimeOffset startedAt, string? instanceId)
    {
        Id = id;
        JobId = jobId;
        StartedAt = startedAt;
        InstanceId = instanceId;
        Status = JobExecutionStatus.Started;
    }

    public Guid Id { get; private set; }

    public Guid JobId { get; private set; }

    public JobExecutionStatus Status { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    public long? DurationMs { get; private set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>What the run did (counts, ids), as JSON.</summary>
    public JsonDocument? Metadata { get; private set; }

    /// <summary>The Scheduler instance that ran it (clustered Quartz).</summary>
    public string? InstanceId { get; private set; }

    internal void Finish(JobExecutionStatus status, DateTimeOffset at, string? errorMessage, JsonDocument? metadata)
    {
        if (Status != JobExecutionStatus.Started)
        {
            throw new DomainException($"Job execution {Id} already finished as {Status}.");
        }

        Status = status;
        EndedAt = at;
        DurationMs = (long)Math.Max((at - StartedAt).TotalMilliseconds, 0);
        ErrorMessage = errorMessage is { Length: > MaxErrorMessageLength } ? errorMessage[..MaxErrorMessageLength] : errorMessage;
        Metadata = metadata ?? Metadata;
    }
}

internal sealed class JobExecutionConfiguration : IEntityTypeConfiguration<JobExecution>
{
    public void Configure(EntityTypeBuilder<JobExecution> builder)
    {
        builder.ToTable("job_executions", t =>
        {
            t.HasEnumCheck<JobExecution, JobExecutionStatus>("status");
            t.HasCheckConstraint("ck_job_executions_ended_after_start", "ended_at IS NULL OR ended_at >= started_at");
            t.HasCheckConstraint("ck_job_executions_finished_has_end", "status = 'started' OR ended_at IS NOT NULL");
        });
        builder.Property(e => e.ErrorMessage).HasMaxLength(JobExecution.MaxErrorMessageLength);
        builder.Property(e => e.InstanceId).HasMaxLength(200);
        builder.Property(e => e.Metadata).HasColumnType("jsonb");
        builder.HasOne<ScheduledJob>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.JobId, e.StartedAt }).IsDescending(false, true);
    }
}
