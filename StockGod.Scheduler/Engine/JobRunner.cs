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
        var fireTime = ScheduledFireTimeOf(context);
        var manual = context.MergedJobDataMap.ContainsKey(ManualFiringKey);
        // A recovered run is judged by the trigger it redoes, at that trigger's time.
        var trigger = context.Recovering && context.RecoveringTriggerKey is { } recovered ? recovered : context.Trigger.Key;
        if (!manual && definition.ScheduleOf(trigger) is { } schedule && !tradingHours.Includes(schedule, fireTime))
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

    /// <summary>
    /// The time the firing was scheduled for. A run recovered after its replica died is fired by a recovery trigger that
    /// Quartz schedules at the original's actual fire time; the original's scheduled time is in the trigger's data, and
    /// it is the one the run must use, so a recovered strategy_execution derives the very client_order_ids of the run
    /// it redoes (and resumes that run's orders) rather than ids of a firing that never was.
    /// </summary>
    internal static DateTimeOffset ScheduledFireTimeOf(IJobExecutionContext context)
    {
        if (context.Recovering
            && context.MergedJobDataMap.TryGetString(SchedulerConstants.FailedJobOriginalTriggerScheduledFireTime, out var original)
            && DateTimeOffset.TryParse(original, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var scheduled))
        {
            return scheduled;
        }

        return context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
    }
}

/// <summary>What a job's work gets: the firing's scheduled time (for deterministic ids) and the counters to fill.</summary>
public sealed record JobRunContext(DateTimeOffset FireTime, JobCounters Counters);
