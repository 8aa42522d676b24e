using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Persistence;
using StockGod.Trading.Screening;

namespace StockGod.Trading.Domain.Research;

[JsonConverter(typeof(JsonStringEnumConverter<ScreeningRunStatus>))]
public enum ScreeningRunStatus
{
    /// <summary>Chunks are waiting for or being worked on by the Scheduler's workers.</summary>
    [JsonStringEnumMemberName("running")] Running,

    /// <summary>Every chunk finished and the report is stored.</summary>
    [JsonStringEnumMemberName("completed")] Completed,

    /// <summary>A chunk failed more often than allowed; <see cref="ScreeningRun.FailureReason"/> says which and why.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// One screening of a universe as of a date: split into <see cref="ScreeningWorkItem"/>s that any Scheduler replica
/// may claim, and finished by the worker that completes the last chunk, which stores the aggregated report.
/// </summary>
public sealed class ScreeningRun
{
    public const int MaxRequestedByLength = 100;
    public const int MaxFailureReasonLength = 4000;

    /// <summary>Who asked for a run the schedule made.</summary>
    public const string ScheduleRequester = "schedule";

    private ScreeningRun()
    {
        Settings = null!;
        RequestedBy = string.Empty;
    }

    public ScreeningRun(Guid id, ScreeningSettings settings, int chunkSize, int chunkCount, string requestedBy, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkCount);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        Id = id;
        AsOf = settings.AsOf;
        Settings = settings;
        ChunkSize = chunkSize;
        ChunkCount = chunkCount;
        RequestedBy = requestedBy;
        CreatedAt = createdAt;
        Status = ScreeningRunStatus.Running;
    }

    public Guid Id { get; private set; }

    /// <summary>The last day whose bars count (the settings' as-of date, kept as a column for look-ups by date).</summary>
    public DateOnly AsOf { get; private set; }

    public ScreeningSettings Settings { get; private set; }

    public int ChunkSize { get; private set; }

    public int ChunkCount { get; private set; }

    /// <summary><see cref="ScheduleRequester"/> or the id of the user who asked.</summary>
    public string RequestedBy { get; private set; }

    public ScreeningRunStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public string? FailureReason { get; private set; }

    /// <summary>The aggregated result: top N with contributions, the whole ranking, sectors and exclusions.</summary>
    public ScreeningResult? Report { get; private set; }

    /// <summary>When the report's e-mail was handed to the SMTP server; null while it is unsent (the Scheduler's outbox).</summary>
    public DateTimeOffset? ReportSentAt { get; private set; }

    public void MarkReportSent(DateTimeOffset at)
    {
        if (Status != ScreeningRunStatus.Completed)
        {
            throw new DomainException($"Screening run {Id} is {Status}: it has no report to send.");
        }

        ReportSentAt ??= at;
    }

    internal void Complete(ScreeningResult report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        EnsureRunning();
        Report = report;
        Status = ScreeningRunStatus.Completed;
        FinishedAt = at;
    }

    internal void Fail(string reason, DateTimeOffset at)
    {
        EnsureRunning();
        FailureReason = reason.Length > MaxFailureReasonLength ? reason[..MaxFailureReasonLength] : reason;
        Status = ScreeningRunStatus.Failed;
        FinishedAt = at;
    }

    private void EnsureRunning()
    {
        if (Status != ScreeningRunStatus.Running)
        {
            throw new DomainException($"Screening run {Id} already finished as {Status}.");
        }
    }
}

internal sealed class ScreeningRunConfiguration : IEntityTypeConfiguration<ScreeningRun>
{
    public void Configure(EntityTypeBuilder<ScreeningRun> builder)
    {
        builder.ToTable("screening_runs", t =>
        {
            t.HasEnumCheck<ScreeningRun, ScreeningRunStatus>("status");
            t.HasCheckConstraint("ck_screening_runs_finished", "(status = 'running') = (finished_at IS NULL)");
            t.HasCheckConstraint("ck_screening_runs_completed_has_report", "status <> 'completed' OR report IS NOT NULL");
            t.HasCheckConstraint("ck_screening_runs_report_sent_completed", "report_sent_at IS NULL OR status = 'completed'");
        });
        builder.Property(r => r.Settings).HasColumnType("jsonb").HasConversion(ScreeningJson.Converter<ScreeningSettings>());
        builder.Property(r => r.Report).HasColumnType("jsonb").HasConversion(ScreeningJson.Converter<ScreeningResult?>());
        builder.Property(r => r.RequestedBy).HasMaxLength(ScreeningRun.MaxRequestedByLength);
        builder.Property(r => r.FailureReason).HasMaxLength(ScreeningRun.MaxFailureReasonLength);
        builder.HasIndex(r => new { r.AsOf, r.FinishedAt }).IsDescending(true, true).HasFilter("status = 'completed'").HasDatabaseName("ix_screening_runs_completed");

        // What the Scheduler's mailer polls for: the few completed reports not mailed yet.
        builder.HasIndex(r => r.FinishedAt).HasFilter("status = 'completed' AND report_sent_at IS NULL").HasDatabaseName("ix_screening_runs_report_unsent");
    }
}
