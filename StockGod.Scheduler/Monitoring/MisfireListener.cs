using Quartz;

namespace StockGod.Scheduler.Monitoring;

/// <summary>Logs and counts firings Quartz missed (every replica down or busy past the misfire threshold); what
/// happens to them is each trigger's misfire instruction (see JobCatalog).</summary>
internal sealed class MisfireListener(SchedulerMetrics metrics, ILogger<MisfireListener> logger) : ITriggerListener
{
    public string Name => nameof(MisfireListener);

    public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        logger.LogWarning("Trigger {Trigger} of job {Job} misfired (was due {Due:O})", trigger.Key, trigger.JobKey.Name, trigger.NextFireTimeUtc);
        metrics.RecordMisfire(trigger.JobKey.Name);
        return ValueTask.CompletedTask;
    }
}
