using Quartz;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Events;

namespace StockGod.Scheduler.Engine;

/// <summary>
/// Runs one Quartz firing of a job through the monitoring: the trading-hours guard, the pause and circuit-breaker
/// check, the execution row (started → completed | failed with the run's counters), stats and metrics, and a
/// <see cref="JobRunCompleted"/> event to operators. A job's own work is a plain service call handed in as
/// <c>work</c>; a failure is recorded here, not rethrown to Quartz.
/// </summary>
internal sealed class JobRunner(
    JobCatalog catalog,
    TradingHours tradingHours,
    JobExecutionRecorder recorder,
    SchedulerMetrics metrics,
    ITradingEventPublisher events,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    /// <summary>Set in the data of a firing an operator asked for (JobControl's trigger now).</summary>
    public const string ManualFiringKey = "stockgod.manual";

    public async ValueTask RunAsync(IJobExecutionContext context, Func<JobRunContext, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var definition = catalog.Get(context.JobDetail.Key.Name);
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var manual = context.MergedJobDataMap.ContainsKey(ManualFiringKey);
        if (!manual && definition.ScheduleOf(context.Trigger.Key) is { } schedule && !tradingHours.Includes(schedule, fireTime))
        {
            // Outside trading hours: not a run, so nothing is recorded beyond the metric.
            metrics.RecordSkipped(definition.Name, "outside_trading_hours");
            return;
        }

        var instanceId = context.Scheduler.SchedulerInstanceId;
        var (run, refusal) = await recorder.TryStartAsync(definition.Name, manual, instanceId, cancellationToken);
        if (run is null)
        {
            logger.LogInformation("Job {Job} did not run at {FireTime:O}: {Refusal}", definition.Name, fireTime, refusal);
            metrics.RecordSkipped(definition.Name, refusal.ToString().ToLowerInvariant());
            return;
        }

        var counters = new JobCounters();
        string? error = null;
        try
        {
            await work(new JobRunContext(fireTime, counters), cancellationToken);
        }
        catch (Exception e)
        {
            // A cancellation the Scheduler did not ask for (an HTTP or database timeout) is a failure like any other:
            // let through, it would leave the execution "started" and out of the circuit breaker's count.
            error = e is OperationCanceledException && cancellationToken.IsCancellationRequested
                ? "Canceled: the Scheduler is shutting down."
                : $"{e.GetType().Name}: {e.Message}";
            logger.LogError(e, "Job {Job} failed", definition.Name);
        }

        // The outcome is recorded even when shutdown canceled the run.
        var job = await recorder.FinishAsync(run, error, counters, CancellationToken.None);
        await events.PublishToOperatorsAsync(
            new JobRunCompleted(definition.Name, run.ExecutionId, error is null ? "completed" : "failed", run.StartedAt, time.GetUtcNow(), error),
            time.GetUtcNow(),
            CancellationToken.None);
        if (job.Status == Trading.Domain.Jobs.ScheduledJobStatus.Error && error is not null)
        {
            logger.LogError("Job {Job} failed {Failures} times in a row: its circuit breaker is open until an operator resets it", job.Name, job.ConsecutiveFailures);
        }
    }
}

/// <summary>What a job's work gets: the firing's scheduled time (for deterministic ids) and the counters to fill.</summary>
public sealed record JobRunContext(DateTimeOffset FireTime, JobCounters Counters);
