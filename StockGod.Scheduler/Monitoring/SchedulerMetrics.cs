using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StockGod.Trading.Domain.Jobs;

namespace StockGod.Scheduler.Monitoring;

/// <summary>
/// The job figures as OpenTelemetry metrics (Meter <c>StockGod.Scheduler</c>, picked up by ServiceDefaults): runs by
/// outcome, durations, the counters of each run, skipped and missed firings, and each job's consecutive failures and
/// circuit state as last seen by this replica.
/// </summary>
public sealed class SchedulerMetrics
{
    public const string MeterName = "StockGod.Scheduler";

    private readonly Counter<long> _executions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _workItems;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _misfires;
    private readonly ConcurrentDictionary<string, (int ConsecutiveFailures, bool CircuitOpen)> _health = new(StringComparer.Ordinal);

    public SchedulerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _executions = meter.CreateCounter<long>("stockgod.scheduler.job.executions", "{execution}", "Finished job runs by job and status.");
        _duration = meter.CreateHistogram<double>("stockgod.scheduler.job.duration", "s", "Duration of job runs.");
        _workItems = meter.CreateCounter<long>("stockgod.scheduler.job.work_items", "{item}", "What job runs did, by job and counter (orders_placed, alerts_triggered, ...).");
        _skipped = meter.CreateCounter<long>("stockgod.scheduler.job.skipped", "{firing}", "Firings that did not run, by job and reason.");
        _misfires = meter.CreateCounter<long>("stockgod.scheduler.job.misfires", "{firing}", "Firings Quartz missed while no replica could run them.");
        meter.CreateObservableGauge("stockgod.scheduler.job.consecutive_failures", () =>
            _health.Select(h => new Measurement<int>(h.Value.ConsecutiveFailures, new KeyValuePair<string, object?>("job", h.Key))),
            "{failure}", "Consecutive failed runs of each job.");
        meter.CreateObservableGauge("stockgod.scheduler.job.circuit_open", () =>
            _health.Select(h => new Measurement<int>(h.Value.CircuitOpen ? 1 : 0, new KeyValuePair<string, object?>("job", h.Key))),
            description: "1 while a job's circuit breaker holds it in status error.");
    }

    public void RecordRun(ScheduledJob job, JobExecution execution, JobCounters counters)
    {
        var jobTag = new KeyValuePair<string, object?>("job", job.Name);
        _executions.Add(1, jobTag, new("status", execution.Status.ToString().ToLowerInvariant()));
        if (execution.DurationMs is { } ms)
        {
            _duration.Record(ms / 1000d, jobTag);
        }

        foreach (var (name, value) in counters.Snapshot())
        {
            _workItems.Add(value, jobTag, new("counter", name));
        }

        Observe(job);
    }

    public void Observe(ScheduledJob job) =>
        _health[job.Name] = (job.ConsecutiveFailures, job.Status == ScheduledJobStatus.Error);

    public void RecordSkipped(string job, string reason) =>
        _skipped.Add(1, new("job", job), new("reason", reason));

    public void RecordMisfire(string job) => _misfires.Add(1, new KeyValuePair<string, object?>("job", job));
}
