using Microsoft.Extensions.Options;
using Quartz;
using StockGod.Scheduler.Engine;

namespace StockGod.Scheduler.Monitoring;

/// <summary>
/// Marks executions left started by a Scheduler replica that died as failed (abandoned): at start, then periodically.
/// A replica counts as gone once the Quartz cluster no longer sees it alive or overdue.
/// </summary>
internal sealed class AbandonedExecutionSweeper(
    ISchedulerFactory schedulerFactory,
    JobExecutionRecorder recorder,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<AbandonedExecutionSweeper> logger) : BackgroundService
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        var nodes = await scheduler.QueryClusterNodes(cancellationToken);
        var live = nodes.Where(n => n.IsCurrentNode || n.State != ClusterNodeState.Failed).Select(n => n.InstanceId).ToList();
        return await recorder.MarkAbandonedAsync(live, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AbandonedExecutionSweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sweeping abandoned job executions failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
