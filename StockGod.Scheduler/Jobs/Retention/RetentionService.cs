using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Retention;

/// <summary>job_execution_retention: deletes finished executions older than the retention period (30 days by default).
/// Executions still marked started are left to the abandoned-execution sweep.</summary>
internal sealed class JobExecutionRetentionService(TradingDbContext db, TimeProvider time, IOptions<SchedulerOptions> options)
{
    public async Task DeleteExpiredAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.Value.ExecutionRetentionDays);
        var deleted = await db.JobExecutions
            .Where(e => e.StartedAt < cutoff && e.Status != JobExecutionStatus.Started)
            .ExecuteDeleteAsync(cancellationToken);
        counters.Add("executions_deleted", deleted);
    }
}
