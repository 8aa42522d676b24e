using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Jobs.Alerts;
using StockGod.Scheduler.Jobs.Orders;
using StockGod.Scheduler.Jobs.Positions;
using StockGod.Scheduler.Jobs.Prices;
using StockGod.Scheduler.Jobs.Retention;
using StockGod.Scheduler.Jobs.Snapshots;
using StockGod.Scheduler.Jobs.Strategies;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Scheduler.Jobs;

// The Quartz side of each job: a thin wrapper that hands the firing to JobRunner and the work to the job's service.
// [DisallowConcurrentExecution] holds across the cluster: a job never runs twice at the same time on any replica.

[DisallowConcurrentExecution]
internal sealed class StrategyExecutionJob(JobRunner runner, StrategyExecutionService service) : IJob
{
    // The scheduled fire time, not the clock: a retried or duplicated firing derives the same client_order_ids.
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) => service.ExecuteAsync(run.FireTime, run.Counters, ct), cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class PriceUpdateJob(JobRunner runner, PriceUpdateService service) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) => service.UpdatePricesAsync(run.Counters, ct), cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class OrderStatusCheckJob(JobRunner runner, OrderStatusCheckService service) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) => service.CheckOrdersAsync(run.Counters, ct), cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class AlertPriceCheckJob(JobRunner runner, AlertPriceCheckService service) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) => service.CheckAlertsAsync(run.Counters, ct), cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class PortfolioSnapshotJob(JobRunner runner, PortfolioSnapshotService service, TradingHours tradingHours, TimeProvider time) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) =>
        {
            // The session the firing follows; a manual run outside that hour snapshots the latest closed session.
            var session = tradingHours.SessionClosedBefore(run.FireTime, JobCatalog.SnapshotDelay)
                ?? tradingHours.LatestClosedSession(time.GetUtcNow());
            return service.TakeSnapshotsAsync(session.Date, run.Counters, ct);
        }, cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class JobExecutionRetentionJob(JobRunner runner, RetentionService service) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) => service.DeleteExpiredAsync(run.Counters, ct), cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class PositionSyncJob(JobRunner runner, PositionSyncService service) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, (run, ct) => service.SyncPositionsAsync(run.Counters, ct), cancellationToken);
}

[DisallowConcurrentExecution]
internal sealed class StockScreeningJob(JobRunner runner, JobCatalog catalog, ScreeningRunService screenings, TradingHours tradingHours, TimeProvider time) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        runner.RunAsync(context, async (run, ct) =>
        {
            // As of the session the firing follows; a manual run outside that hour screens the latest closed session.
            var delay = catalog.Get(JobCatalog.StockScreening).Schedules[0].AfterCloseDelay;
            var session = tradingHours.SessionClosedBefore(run.FireTime, delay) ?? tradingHours.LatestClosedSession(time.GetUtcNow());
            var (screening, started) = await screenings.StartScheduledAsync(session.Date, ct);
            run.Counters.Add(started ? "runs_started" : "runs_already_started");
            run.Counters.Add("chunks", screening.ChunkCount);
        }, cancellationToken);
}
