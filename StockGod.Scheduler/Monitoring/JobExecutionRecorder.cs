using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using StockGod.Scheduler.Engine;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Monitoring;

/// <summary>A run that was allowed to start: its execution row exists with status started.</summary>
internal sealed record StartedRun(Guid JobId, Guid ExecutionId, DateTimeOffset StartedAt);

/// <summary>Why a firing did not become a run.</summary>
internal enum RunRefusal
{
    None,
    UnknownJob,
    Paused,
    CircuitOpen,
}

/// <summary>
/// Writes the job monitoring rows: the scheduled_jobs seed, each execution from started to completed or failed with
/// the job's stats and circuit breaker (through <see cref="ScheduledJob"/>), and abandoned executions of dead replicas.
/// </summary>
internal sealed class JobExecutionRecorder(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<SchedulerOptions> options,
    SchedulerMetrics metrics,
    ILogger<JobExecutionRecorder> logger)
{
    private const int MaxConcurrencyRetries = 5;

    /// <summary>How long recording waits for an unreachable database before giving up (a PostgreSQL restart or
    /// failover takes seconds).</summary>
    private static readonly TimeSpan DatabaseOutageLimit = TimeSpan.FromMinutes(2);

    private const string AbandonedMessage = "Abandoned: the Scheduler instance running it stopped before the run finished.";

    /// <summary>Creates the rows of jobs not seeded yet and refreshes the cron text of the others; safe to run on
    /// every replica at once.</summary>
    public async Task SeedAsync(IEnumerable<JobDefinition> definitions, CancellationToken cancellationToken)
    {
        foreach (var definition in definitions)
        {
            var cron = string.Join("; ", definition.Schedules.Select(s => s.CronExpression));
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            var job = await db.ScheduledJobs.SingleOrDefaultAsync(j => j.Name == definition.Name, cancellationToken);
            if (job is null)
            {
                db.ScheduledJobs.Add(new ScheduledJob(Guid.CreateVersion7(), definition.Name, definition.JobType.Name, cron, time.GetUtcNow()));
            }
            else if (job.CronExpression != cron)
            {
                job.CronExpression = cron;
            }
            else
            {
                metrics.Observe(job);
                continue;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Another replica seeded it a moment ago.
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another replica updated it a moment ago.
            }
        }
    }

    /// <summary>Starts a run unless the job is paused (a manual run is still allowed) or its circuit breaker is open.
    /// While the database is unreachable it waits for it (see <see cref="WhileDatabaseUnavailableAsync{T}"/>), so a
    /// firing during a restart still gets its execution row.</summary>
    public Task<(StartedRun? Run, RunRefusal Refusal)> TryStartAsync(string jobName, bool manual, string instanceId, CancellationToken cancellationToken)
    {
        // One id for every attempt: an attempt whose commit landed but whose answer was lost is found, not repeated.
        var executionId = Guid.CreateVersion7();
        return WhileDatabaseUnavailableAsync(jobName, () => TryStartOnceAsync(jobName, executionId, manual, instanceId, cancellationToken), cancellationToken);
    }

    private async Task<(StartedRun? Run, RunRefusal Refusal)> TryStartOnceAsync(string jobName, Guid executionId, bool manual, string instanceId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            if (await db.JobExecutions.AsNoTracking().SingleOrDefaultAsync(e => e.Id == executionId, cancellationToken) is { } started)
            {
                return (new StartedRun(started.JobId, started.Id, started.StartedAt), RunRefusal.None);
            }

            var job = await db.ScheduledJobs.SingleOrDefaultAsync(j => j.Name == jobName, cancellationToken);
            var refusal = job switch
            {
                null => RunRefusal.UnknownJob,
                { Status: ScheduledJobStatus.Error } => RunRefusal.CircuitOpen,
                { Status: ScheduledJobStatus.Disabled } when !manual => RunRefusal.Paused,
                _ => RunRefusal.None,
            };
            if (refusal != RunRefusal.None)
            {
                return (null, refusal);
            }

            var execution = job!.Start(executionId, time.GetUtcNow(), instanceId);
            db.JobExecutions.Add(execution);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (new StartedRun(job.Id, execution.Id, execution.StartedAt), RunRefusal.None);
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                // Another run of the job finished (or an operator changed it) since it was read: decide again on the new row.
                logger.LogDebug("Job {Job} changed while a run started; retrying", jobName);
            }
        }
    }

    /// <summary>Finishes a run as completed (no error) or failed and updates the job's stats and circuit breaker. An
    /// operator's concurrent change of the job row is re-read, not overwritten. While the database is unreachable it
    /// waits for it: otherwise the row would stay started for good (its replica is alive, so no sweep would end it).</summary>
    public Task<ScheduledJob> FinishAsync(StartedRun run, string? error, JobCounters counters, CancellationToken cancellationToken) =>
        WhileDatabaseUnavailableAsync(run.ExecutionId.ToString(), () => FinishOnceAsync(run, error, counters, abandoned: false, cancellationToken), cancellationToken);

    private async Task<ScheduledJob> FinishOnceAsync(StartedRun run, string? error, JobCounters counters, bool abandoned, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            var job = await db.ScheduledJobs.SingleAsync(j => j.Id == run.JobId, cancellationToken);
            var execution = await db.JobExecutions.SingleAsync(e => e.Id == run.ExecutionId, cancellationToken);
            if (execution.Status != JobExecutionStatus.Started)
            {
                return job; // already finished elsewhere (its owner, or a sweep that declared it abandoned)
            }

            if (abandoned)
            {
                job.Abandon(execution, time.GetUtcNow(), AbandonedMessage);
            }
            else
            {
                Finish(job, execution, error, counters);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                metrics.RecordRun(job, execution, counters);
                return job;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                logger.LogDebug("Job {Job} changed while its run finished; retrying", job.Name);
            }
        }
    }

    /// <summary>
    /// Fails the executions still marked started whose replica is gone (not among <paramref name="liveInstances"/>)
    /// and that started before the grace period. Returns how many were marked.
    /// </summary>
    public async Task<int> MarkAbandonedAsync(IReadOnlyCollection<string> liveInstances, CancellationToken cancellationToken)
    {
        var startedBefore = time.GetUtcNow() - options.Value.AbandonedExecutionGrace;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var abandoned = await db.JobExecutions
            .Where(e => e.Status == JobExecutionStatus.Started && e.StartedAt < startedBefore
                && (e.InstanceId == null || !liveInstances.Contains(e.InstanceId)))
            .Select(e => new StartedRun(e.JobId, e.Id, e.StartedAt))
            .ToListAsync(cancellationToken);
        foreach (var run in abandoned)
        {
            var job = await FinishOnceAsync(run, error: null, new JobCounters(), abandoned: true, cancellationToken);
            logger.LogWarning("Marked execution {ExecutionId} of job {Job} as abandoned", run.ExecutionId, job.Name);
        }

        return abandoned.Count;
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> again, with backoff (0.5 s doubling to 5 s), while it fails because the database
    /// is unreachable (a restart, a failover), for up to <see cref="DatabaseOutageLimit"/>; each attempt must be safe
    /// to repeat. Npgsql drops the pool's broken connections on the failed attempt, so the next one reconnects.
    /// </summary>
    private async Task<T> WhileDatabaseUnavailableAsync<T>(string subject, Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e.IsDatabaseUnavailable() && time.GetElapsedTime(started) < DatabaseOutageLimit && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The database is unavailable while recording {Subject}; retrying in {Delay}", subject, delay);
            }

            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private void Finish(ScheduledJob job, JobExecution execution, string? error, JobCounters counters)
    {
        var now = time.GetUtcNow();
        if (error is null)
        {
            job.Complete(execution, now, counters.ToJson());
        }
        else
        {
            job.Fail(execution, now, error, counters.ToJson(), options.Value.CircuitBreakerThreshold);
        }
    }
}
