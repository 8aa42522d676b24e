using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StockGod.AppHost.Local;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Monitoring;
using StockGod.Testing;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

/// <summary>
/// The execution rows through a PostgreSQL outage, on a server of this class's own that it stops and starts: a run
/// that starts or finishes while the database is down is recorded once it is back, not lost or left started.
/// </summary>
public sealed class DatabaseOutageRecordingTests : IAsyncLifetime
{
    private LocalPostgresServer _postgres = null!;
    private NpgsqlDataSource _dataSource = null!;
    private ServiceProvider _services = null!;

    private JobExecutionRecorder Recorder => _services.GetRequiredService<JobExecutionRecorder>();

    [Fact(Timeout = 120_000)]
    public async Task A_run_started_and_finished_while_postgres_is_down_is_recorded_completed_once_it_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = $"job_{Guid.NewGuid():N}";
        await Recorder.SeedAsync([new JobDefinition(name, typeof(object), "test job", [new("0 0/5 * * * ?", TradingWindow.Session, Quartz.CronTriggerMisfireInstruction.DoNothing)])], ct);
        var (finishedInOutage, _) = await Recorder.TryStartAsync(name, manual: false, "node-a", ct);

        await _postgres.StopAsync();
        var starting = Recorder.TryStartAsync(name, manual: false, "node-a", ct);
        var finishing = Recorder.FinishAsync(finishedInOutage!, error: null, new JobCounters(), ct);
        // Both are waiting for the database (before the fix they failed at once: no row, and a row left started).
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        Assert.False(starting.IsCompleted, "starting a run did not wait for the database");
        Assert.False(finishing.IsCompleted, "finishing a run did not wait for the database");
        await _postgres.RestartAsync(ct);

        var (startedInOutage, refusal) = await starting;
        var job = await finishing;
        await Recorder.FinishAsync(startedInOutage!, error: null, new JobCounters(), ct);

        Assert.Equal(RunRefusal.None, refusal);
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var executions = await db.JobExecutions.Where(e => e.JobId == job.Id).OrderBy(e => e.StartedAt).ToListAsync(ct);
        Assert.Equal([finishedInOutage!.ExecutionId, startedInOutage!.ExecutionId], executions.Select(e => e.Id));
        Assert.All(executions, e => Assert.Equal(JobExecutionStatus.Completed, e.Status));
        Assert.Equal(2, (await db.ScheduledJobs.SingleAsync(j => j.Id == job.Id, ct)).ExecutionCount);
    }

    public async ValueTask InitializeAsync()
    {
        _postgres = await TestServers.StartDedicatedPostgresAsync();
        await _postgres.CreateDatabaseAsync("stockgod");
        _dataSource = NpgsqlDataSource.Create(_postgres.GetConnectionString("stockgod"));
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Error));
        services.AddMetrics();
        // The real clock: the recorder's backoff waits on it while the database is down.
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new SchedulerOptions()));
        services.AddDbContext<TradingDbContext>(options => options.UseTradingDatabase(_dataSource));
        services.AddSingleton<SchedulerMetrics>();
        services.AddSingleton<JobExecutionRecorder>();
        _services = services.BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await TradingDatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<TradingDbContext>(), NullLogger.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _dataSource.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
