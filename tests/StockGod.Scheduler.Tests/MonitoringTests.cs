using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Monitoring;
using StockGod.Testing;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

public sealed class MonitoringTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>, IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 3, 6, 15, 0, 0, TimeSpan.Zero));
    private ServiceProvider? _services;

    private JobExecutionRecorder Recorder => Services.GetRequiredService<JobExecutionRecorder>();

    private ServiceProvider Services => _services ??= BuildServices();

    [Fact]
    public async Task A_completed_run_records_duration_counters_and_stats()
    {
        var name = await SeedJobAsync();
        var (run, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
        var counters = new JobCounters();
        counters.Add("symbols_updated", 12);
        _time.Advance(TimeSpan.FromMilliseconds(1500));

        var job = await Recorder.FinishAsync(run!, error: null, counters, CancellationToken.None);

        await using var db = database.CreateDbContext();
        var execution = await db.JobExecutions.SingleAsync(e => e.Id == run!.ExecutionId, TestContext.Current.CancellationToken);
        Assert.Equal(JobExecutionStatus.Completed, execution.Status);
        Assert.Equal(1500, execution.DurationMs);
        Assert.Equal("node-a", execution.InstanceId);
        Assert.Equal(12, execution.Metadata!.RootElement.GetProperty("symbols_updated").GetInt64());
        Assert.Equal(1, job.ExecutionCount);
        Assert.Equal(1500d, job.AverageDurationMs);
        Assert.Equal(JobExecutionStatus.Completed, job.LastExecutionStatus);
    }

    [Fact]
    public async Task Ten_consecutive_failures_open_the_circuit_breaker_and_a_reset_closes_it()
    {
        var name = await SeedJobAsync();
        for (var i = 1; i <= 9; i++)
        {
            var (run, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
            var job = await Recorder.FinishAsync(run!, $"failure {i}", new JobCounters(), CancellationToken.None);
            Assert.Equal(ScheduledJobStatus.Enabled, job.Status);
            Assert.Equal(i, job.ConsecutiveFailures);
        }

        var (tenth, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
        var tripped = await Recorder.FinishAsync(tenth!, "failure 10", new JobCounters(), CancellationToken.None);
        Assert.Equal(ScheduledJobStatus.Error, tripped.Status);
        Assert.Equal("failure 10", tripped.LastErrorMessage);

        // Open: neither the schedule nor an operator's manual run starts it.
        Assert.Equal(RunRefusal.CircuitOpen, (await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None)).Refusal);
        Assert.Equal(RunRefusal.CircuitOpen, (await Recorder.TryStartAsync(name, manual: true, "node-a", CancellationToken.None)).Refusal);

        await using (var db = database.CreateDbContext())
        {
            var job = await db.ScheduledJobs.SingleAsync(j => j.Name == name, TestContext.Current.CancellationToken);
            job.SetEnabled(true, _time.GetUtcNow()); // what JobControl's reset does
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var (afterReset, refusal) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
        Assert.Equal(RunRefusal.None, refusal);
        var restored = await Recorder.FinishAsync(afterReset!, null, new JobCounters(), CancellationToken.None);
        Assert.Equal(ScheduledJobStatus.Enabled, restored.Status);
        Assert.Equal(0, restored.ConsecutiveFailures);
        Assert.Equal(10, restored.FailureCount);
        Assert.Equal(11, restored.ExecutionCount);
    }

    [Fact]
    public async Task A_success_between_failures_resets_the_count_so_the_breaker_needs_ten_in_a_row()
    {
        var name = await SeedJobAsync();
        for (var i = 0; i < 15; i++)
        {
            var (run, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
            await Recorder.FinishAsync(run!, i == 7 ? null : "boom", new JobCounters(), CancellationToken.None);
        }

        await using var db = database.CreateDbContext();
        var job = await db.ScheduledJobs.SingleAsync(j => j.Name == name, TestContext.Current.CancellationToken);
        Assert.Equal(ScheduledJobStatus.Enabled, job.Status);
        Assert.Equal(7, job.ConsecutiveFailures);
    }

    [Fact]
    public async Task A_paused_job_skips_scheduled_firings_but_runs_when_an_operator_triggers_it()
    {
        var name = await SeedJobAsync();
        await using (var db = database.CreateDbContext())
        {
            var job = await db.ScheduledJobs.SingleAsync(j => j.Name == name, TestContext.Current.CancellationToken);
            job.SetEnabled(false, _time.GetUtcNow());
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(RunRefusal.Paused, (await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None)).Refusal);
        Assert.NotNull((await Recorder.TryStartAsync(name, manual: true, "node-a", CancellationToken.None)).Run);
    }

    [Fact]
    public async Task Runs_abandoned_by_dying_instances_are_failures_that_do_not_open_the_circuit_breaker()
    {
        var name = await SeedJobAsync();
        var (failed, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
        await Recorder.FinishAsync(failed!, "a real failure", new JobCounters(), CancellationToken.None);
        var abandonedRuns = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            // Twelve processes in a row killed mid-run (kill -9, a node lost): more than the breaker's ten.
            var (run, _) = await Recorder.TryStartAsync(name, manual: false, $"node-killed-{i}", CancellationToken.None);
            abandonedRuns.Add(run!.ExecutionId);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        await Recorder.MarkAbandonedAsync(["node-a"], CancellationToken.None);

        await using var db = database.CreateDbContext();
        var job = await db.ScheduledJobs.SingleAsync(j => j.Name == name, TestContext.Current.CancellationToken);
        Assert.Equal(ScheduledJobStatus.Enabled, job.Status);
        Assert.Equal(1, job.ConsecutiveFailures); // the real failure only
        Assert.Equal(13, job.FailureCount);
        Assert.Equal(JobExecutionStatus.Failed, job.LastExecutionStatus);
        Assert.StartsWith("Abandoned", job.LastErrorMessage, StringComparison.Ordinal);
        Assert.All(
            await db.JobExecutions.Where(e => abandonedRuns.Contains(e.Id)).ToListAsync(TestContext.Current.CancellationToken),
            e => Assert.Equal(JobExecutionStatus.Failed, e.Status));
        Assert.NotNull((await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None)).Run);
    }

    [Fact]
    public async Task Executions_left_started_by_a_dead_instance_are_marked_abandoned_and_live_ones_are_not()
    {
        var name = await SeedJobAsync();
        var (dead, _) = await Recorder.TryStartAsync(name, manual: false, "node-dead", CancellationToken.None);
        var (live, _) = await Recorder.TryStartAsync(name, manual: false, "node-live", CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));

        // The class shares one database, so other tests' executions may be swept too: assert on this test's own rows.
        // Within the grace period nothing is touched, even for an unknown instance.
        await Recorder.MarkAbandonedAsync(["node-live"], CancellationToken.None);
        Assert.Equal(JobExecutionStatus.Started, await StatusOfAsync(dead!.ExecutionId));

        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await Recorder.MarkAbandonedAsync(["node-live"], CancellationToken.None) >= 1);
        Assert.Equal(0, await Recorder.MarkAbandonedAsync(["node-live"], CancellationToken.None));

        await using var db = database.CreateDbContext();
        var abandoned = await db.JobExecutions.SingleAsync(e => e.Id == dead!.ExecutionId, TestContext.Current.CancellationToken);
        var running = await db.JobExecutions.SingleAsync(e => e.Id == live!.ExecutionId, TestContext.Current.CancellationToken);
        Assert.Equal(JobExecutionStatus.Failed, abandoned.Status);
        Assert.Contains("Abandoned", abandoned.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(JobExecutionStatus.Started, running.Status);
        var job = await db.ScheduledJobs.SingleAsync(j => j.Name == name, TestContext.Current.CancellationToken);
        Assert.Equal(1, job.FailureCount);
    }

    [Fact]
    public async Task Seeding_is_idempotent_and_keeps_stats()
    {
        var name = await SeedJobAsync();
        var (run, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", CancellationToken.None);
        await Recorder.FinishAsync(run!, "boom", new JobCounters(), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Recorder.SeedAsync([Definition(name)], CancellationToken.None)));

        await using var db = database.CreateDbContext();
        var job = await db.ScheduledJobs.SingleAsync(j => j.Name == name, TestContext.Current.CancellationToken);
        Assert.Equal(1, job.FailureCount);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    private async Task<JobExecutionStatus> StatusOfAsync(Guid executionId)
    {
        await using var db = database.CreateDbContext();
        return await db.JobExecutions.Where(e => e.Id == executionId).Select(e => e.Status).SingleAsync(TestContext.Current.CancellationToken);
    }

    private static JobDefinition Definition(string name) =>
        new(name, typeof(object), "test job", [new("0 0/5 * * * ?", TradingWindow.Session, Quartz.CronTriggerMisfireInstruction.DoNothing)]);

    private async Task<string> SeedJobAsync()
    {
        var name = $"job_{Guid.NewGuid():N}";
        await Recorder.SeedAsync([Definition(name)], CancellationToken.None);
        return name;
    }

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(Options.Create(new SchedulerOptions()));
        services.AddDbContext<TradingDbContext>(options => options.UseTradingDatabase(database.DataSource));
        services.AddSingleton<SchedulerMetrics>();
        services.AddSingleton<JobExecutionRecorder>();
        return services.BuildServiceProvider();
    }
}
