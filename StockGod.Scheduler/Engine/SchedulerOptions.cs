namespace StockGod.Scheduler.Engine;

/// <summary>The <c>Scheduler</c> configuration section.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>Consecutive failures after which a job's circuit breaker opens (status error) until an operator resets it.</summary>
    public int CircuitBreakerThreshold { get; set; } = StockGod.Trading.Domain.Jobs.ScheduledJob.DefaultErrorThreshold;

    /// <summary>How long job executions are kept by job_execution_retention.</summary>
    public int ExecutionRetentionDays { get; set; } = 30;

    /// <summary>How long finished screening runs (and their chunks) are kept by job_execution_retention; the latest
    /// completed run of each requester (the schedule, or a user) is kept whatever its age.</summary>
    public int ScreeningRunRetentionDays { get; set; } = 90;

    /// <summary>How long finished backtests (and their results) are kept by job_execution_retention; each user's latest
    /// completed backtest is kept whatever its age.</summary>
    public int BacktestRetentionDays { get; set; } = 90;

    /// <summary>How often this replica looks for executions left started by a replica that died.</summary>
    public TimeSpan AbandonedExecutionSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How old a started execution must be before it can be declared abandoned (covers a node that has not
    /// checked in to the cluster yet).</summary>
    public TimeSpan AbandonedExecutionGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Cluster check-in period of the Quartz node.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Job name → Quartz cron expression (America/New_York) replacing the job's cadence, its first schedule (an
    /// after-close schedule such as order_status_check's sweep is kept). Empty by default: the catalog's schedules.
    /// For load and fault-injection runs that want the intraday jobs every few seconds, e.g.
    /// <c>Scheduler__Cadence__strategy_execution=0/3 * * * * ?</c>; the trading-hours guard still applies.
    /// </summary>
    public Dictionary<string, string> Cadence { get; set; } = new(StringComparer.Ordinal);
}
