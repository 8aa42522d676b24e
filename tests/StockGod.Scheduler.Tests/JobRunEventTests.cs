using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Extensions;
using StockGod.Scheduler.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Events;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

/// <summary>
/// A job run's outcome reaches operators: a Scheduler host (clustered Quartz on PostgreSQL, the production publisher
/// on Redis) runs a job that completes and one that fails, and a Redis subscriber receives one
/// <see cref="JobRunCompleted"/> for each, matching the execution rows. The clock is injected.
/// </summary>
public sealed class JobRunEventTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2024, 3, 6, 15, 0, 0, TimeSpan.Zero);

    // Unique per test run: the Redis server is shared with other tests, which publish job runs of their own.
    private readonly string _completes = $"completes_{Guid.NewGuid():N}";
    private readonly string _fails = $"fails_{Guid.NewGuid():N}";
    private readonly FakeTimeProvider _time = new(Start);
    private string _connectionString = string.Empty;
    private IHost? _host;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await TestServers.CreateDatabaseAsync("jobevents");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Logging:LogLevel:Default"] = "Critical";
        builder.Configuration["ConnectionStrings:stockgod"] = _connectionString;
        builder.Configuration["ConnectionStrings:redis"] = await TestServers.RedisAsync();
        builder.Services.AddSingleton(_time);
        builder.Services.AddSingleton<TimeProvider>(_time); // before the engine, which only adds the system clock if none is there
        builder.AddTradingDatabase();
        builder.AddRedisClient("redis");
        builder.AddSchedulerEngine([Definition(_completes), Definition(_fails)]);
        builder.Services.AddSingleton(new OutcomeJob.Failing(_fails));
        _host = builder.Build();
        await _host.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    [Fact]
    public async Task A_completed_and_a_failed_run_each_publish_one_job_run_completed_to_operators_over_redis()
    {
        await using var subscriber = await TradingEventSubscriber.ConnectAsync();
        var scheduler = await _host!.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(TestContext.Current.CancellationToken);

        var catalog = _host.Services.GetRequiredService<JobCatalog>();
        await scheduler.TriggerJob(catalog.Get(_completes).Key, new JobDataMap { [JobRunner.ManualFiringKey] = "true" }, TestContext.Current.CancellationToken);
        var completed = Payload(Assert.Single(await subscriber.WaitForAsync(e => IsRunOf(e, _completes), count: 1)));
        await scheduler.TriggerJob(catalog.Get(_fails).Key, new JobDataMap { [JobRunner.ManualFiringKey] = "true" }, TestContext.Current.CancellationToken);
        var failed = Payload(Assert.Single(await subscriber.WaitForAsync(e => IsRunOf(e, _fails), count: 1)));

        var executions = await ExecutionsAsync();
        var completedRun = Assert.Single(executions, e => e.JobName == _completes);
        var failedRun = Assert.Single(executions, e => e.JobName == _fails);

        Assert.Equal("completed", completed.Status);
        Assert.Equal(completedRun.Id, completed.ExecutionId);
        Assert.Equal(JobExecutionStatus.Completed, completedRun.Status);
        Assert.Null(completed.Error);

        Assert.Equal("failed", failed.Status);
        Assert.Equal(failedRun.Id, failed.ExecutionId);
        Assert.Equal(JobExecutionStatus.Failed, failedRun.Status);
        Assert.Equal("InvalidOperationException: MarketData unavailable", failed.Error);
        Assert.Equal(failedRun.ErrorMessage, failed.Error);

        // Times come from the injected clock, which each run's work moved on by its duration.
        Assert.Equal((Start, Start + OutcomeJob.Duration), (completed.StartedAt, completed.FinishedAt));
        Assert.Equal((Start + OutcomeJob.Duration, Start + (2 * OutcomeJob.Duration)), (failed.StartedAt, failed.FinishedAt));
        Assert.Equal((completedRun.StartedAt, completedRun.EndedAt), (completed.StartedAt, completed.FinishedAt));
        Assert.Equal((failedRun.StartedAt, failedRun.EndedAt), (failed.StartedAt, failed.FinishedAt));

        // Exactly one event per run, on the operators' channel only (no user is named).
        Assert.Equal(2, subscriber.Received(e => IsRunOf(e, _completes) || IsRunOf(e, _fails)).Count);
        Assert.All(subscriber.Received(e => IsRunOf(e, _completes) || IsRunOf(e, _fails)), e => Assert.Null(e.UserId));
    }

    private static JobDefinition Definition(string name) =>
        new(name, typeof(OutcomeJob), "test job run by hand only", [new("0 0 0 1 1 ? 2099", TradingWindow.Always, CronTriggerMisfireInstruction.DoNothing)]);

    private static bool IsRunOf(TradingEventEnvelope envelope, string jobName) =>
        envelope.Kind == JobRunCompleted.Kind && envelope.Payload.GetProperty("job_name").GetString() == jobName;

    private static JobRunCompleted Payload(TradingEventEnvelope envelope) =>
        envelope.Payload.Deserialize<JobRunCompleted>(TradingEventChannels.Json)!;

    private async Task<List<ExecutionRow>> ExecutionsAsync()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_connectionString);
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(dataSource);
        await using var db = new TradingDbContext(options.Options);
        return await db.JobExecutions
            .Join(db.ScheduledJobs, e => e.JobId, j => j.Id, (e, j) => new ExecutionRow(j.Name, e.Id, e.Status, e.StartedAt, e.EndedAt, e.ErrorMessage))
            .ToListAsync(TestContext.Current.CancellationToken);
    }

    private sealed record ExecutionRow(string JobName, Guid Id, JobExecutionStatus Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? ErrorMessage);

    /// <summary>Takes <see cref="Duration"/> on the injected clock, then fails when it is the failing job.</summary>
    [DisallowConcurrentExecution]
    internal sealed class OutcomeJob(JobRunner runner, FakeTimeProvider time, OutcomeJob.Failing failing) : IJob
    {
        public static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
            runner.RunAsync(context, (run, _) =>
            {
                time.Advance(Duration);
                run.Counters.Add("ticks");
                return context.JobDetail.Key.Name == failing.JobName
                    ? Task.FromException(new InvalidOperationException("MarketData unavailable"))
                    : Task.CompletedTask;
            }, cancellationToken);

        internal sealed record Failing(string JobName);
    }
}
