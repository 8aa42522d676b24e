using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Retention;

/// <summary>
/// job_execution_retention: deletes what is kept only for a while, each after its own period (<see cref="SchedulerOptions"/>):
/// finished job executions (30 days; executions still marked started are left to the abandoned-execution sweep), and
/// finished screening runs and backtests (90 days; their chunks and results go with them). The latest completed
/// screening run of each requester (the schedule, or a user) and the latest completed backtest of each user are kept
/// whatever their age, so nobody's last report disappears.
/// </summary>
internal sealed class RetentionService(TradingDbContext db, TimeProvider time, IOptions<SchedulerOptions> options)
{
    public async Task DeleteExpiredAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;

        var executionCutoff = now.AddDays(-settings.ExecutionRetentionDays);
        counters.Add("executions_deleted", await db.JobExecutions
            .Where(e => e.StartedAt < executionCutoff && e.Status != JobExecutionStatus.Started)
            .ExecuteDeleteAsync(cancellationToken));

        var screeningCutoff = now.AddDays(-settings.ScreeningRunRetentionDays);
        var screenings = db.Set<ScreeningRun>();
        counters.Add("screening_runs_deleted", await screenings
            .Where(r => r.Status != ScreeningRunStatus.Running && r.FinishedAt < screeningCutoff)
            .Where(r => r.Status != ScreeningRunStatus.Completed || screenings.Any(newer =>
                newer.RequestedBy == r.RequestedBy && newer.Status == ScreeningRunStatus.Completed && newer.FinishedAt > r.FinishedAt))
            .ExecuteDeleteAsync(cancellationToken));

        var backtestCutoff = now.AddDays(-settings.BacktestRetentionDays);
        var backtests = db.BacktestRuns;
        counters.Add("backtests_deleted", await backtests
            .Where(r => r.Status != BacktestRunStatus.Queued && r.Status != BacktestRunStatus.Running && r.FinishedAt < backtestCutoff)
            .Where(r => r.Status != BacktestRunStatus.Completed || backtests.Any(newer =>
                newer.OwnerUserId == r.OwnerUserId && newer.Status == BacktestRunStatus.Completed && newer.FinishedAt > r.FinishedAt))
            .ExecuteDeleteAsync(cancellationToken));
    }
}
