using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Extensions;
using StockGod.Scheduler.Grpc;
using StockGod.Scheduler.Monitoring;
using StockGod.Scheduler.V1;
using StockGod.Testing;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

/// <summary>JobControl against a running Scheduler engine (clustered Quartz, real database).</summary>
public sealed class JobControlTests : IAsyncLifetime
{
    private const string JobName = JobCatalog.JobExecutionRetention;
    private IHost? _host;

    private IHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["ConnectionStrings:stockgod"] = await TestServers.CreateDatabaseAsync("jobcontrol");
        builder.Configuration["ConnectionStrings:redis"] = await TestServers.RedisAsync();
        builder.AddTradingDatabase();
        builder.AddRedisClient("redis");
        builder.AddSchedulerEngine([.. JobCatalog.Default.Where(d => d.Name == JobName)]);
        builder.Services.AddScoped<JobControlService>();
        _host = builder.Build();
        await _host.StartAsync();
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
    public async Task Lists_the_seeded_job_with_its_next_run_and_triggering_runs_it_once_now()
    {
        var listed = (await CallAsync(s => s.ListJobs(new ListJobsRequest(), Context()))).Jobs.Single();
        Assert.Equal(JobName, listed.Name);
        Assert.Equal(JobStatus.Enabled, listed.Status);
        Assert.Equal(10, listed.CircuitBreakerThreshold);
        Assert.Equal(new TimeOnly(3, 30), TimeOnly.FromDateTime(Trading.Calendar.NewYorkTime.ToNewYork(listed.NextRunAt.ToDateTimeOffset()).DateTime));

        await CallAsync(s => s.TriggerJob(new JobRequest { Name = JobName }, Context()));
        var executions = await WaitForExecutionsAsync(1);

        var execution = Assert.Single(executions);
        Assert.Equal(ExecutionStatus.Completed, execution.Status);
        Assert.Equal(JobName, execution.JobName);
        Assert.Contains("executions_deleted", execution.MetadataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_and_resume_change_the_status_and_the_quartz_triggers()
    {
        var paused = await CallAsync(s => s.PauseJob(new JobRequest { Name = JobName }, Context()));
        Assert.Equal(JobStatus.Paused, paused.Status);
        Assert.Null(paused.NextRunAt);
        Assert.Equal(TriggerState.Paused, await TriggerStateAsync());

        var resumed = await CallAsync(s => s.ResumeJob(new JobRequest { Name = JobName }, Context()));
        Assert.Equal(JobStatus.Enabled, resumed.Status);
        Assert.NotNull(resumed.NextRunAt);
        Assert.Equal(TriggerState.Normal, await TriggerStateAsync());
    }

    [Fact]
    public async Task A_tripped_job_refuses_trigger_and_pause_until_its_circuit_breaker_is_reset()
    {
        var recorder = Host.Services.GetRequiredService<JobExecutionRecorder>();
        for (var i = 0; i < 10; i++)
        {
            var (run, _) = await recorder.TryStartAsync(JobName, manual: false, "node-x", CancellationToken.None);
            await recorder.FinishAsync(run!, "broker down", new JobCounters(), CancellationToken.None);
        }

        var tripped = (await CallAsync(s => s.ListJobs(new ListJobsRequest(), Context()))).Jobs.Single();
        Assert.Equal(JobStatus.Error, tripped.Status);
        Assert.Equal(10, tripped.ConsecutiveFailures);
        Assert.Equal("broker down", tripped.LastErrorMessage);

        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(s => s.TriggerJob(new JobRequest { Name = JobName }, Context())));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition,
            (await Assert.ThrowsAsync<RpcException>(() => CallAsync(s => s.PauseJob(new JobRequest { Name = JobName }, Context())))).StatusCode);

        var reset = await CallAsync(s => s.ResetCircuitBreaker(new JobRequest { Name = JobName }, Context()));
        Assert.Equal(JobStatus.Enabled, reset.Status);
        Assert.Equal(0, reset.ConsecutiveFailures);
        Assert.Equal(10, reset.FailureCount);

        await CallAsync(s => s.TriggerJob(new JobRequest { Name = JobName }, Context()));
        Assert.Contains(await WaitForExecutionsAsync(11), e => e.Status == ExecutionStatus.Completed);
    }

    [Fact]
    public async Task Execution_history_pages_newest_first_without_gaps_or_repeats_and_filters_by_status()
    {
        var recorder = Host.Services.GetRequiredService<JobExecutionRecorder>();
        for (var i = 0; i < 5; i++)
        {
            var (run, _) = await recorder.TryStartAsync(JobName, manual: false, "node-x", CancellationToken.None);
            await recorder.FinishAsync(run!, i % 2 == 0 ? null : "failed", new JobCounters(), CancellationToken.None);
        }

        var pages = new List<ListExecutionsResponse>();
        var token = string.Empty;
        do
        {
            var page = await CallAsync(s => s.ListExecutions(new ListExecutionsRequest { JobName = JobName, PageSize = 2, PageToken = token }, Context()));
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var all = pages.SelectMany(p => p.Executions).ToList();
        Assert.Equal([2, 2, 1], pages.Select(p => p.Executions.Count));
        Assert.Equal(5, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal(all.OrderByDescending(e => e.StartedAt.ToDateTimeOffset()).Select(e => e.Id), all.Select(e => e.Id));

        var failed = await CallAsync(s => s.ListExecutions(new ListExecutionsRequest { Status = ExecutionStatus.Failed }, Context()));
        Assert.Equal(2, failed.Executions.Count);
        Assert.All(failed.Executions, e => Assert.Equal("failed", e.ErrorMessage));

        var unknown = await Assert.ThrowsAsync<RpcException>(() => CallAsync(s => s.ListExecutions(new ListExecutionsRequest { JobName = "nope" }, Context())));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    private async Task<TriggerState> TriggerStateAsync()
    {
        var scheduler = await Host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        return await scheduler.GetTriggerState(JobCatalog.Default.Single(d => d.Name == JobName).TriggerKeyOf(0));
    }

    private async Task<List<Execution>> WaitForExecutionsAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var executions = (await CallAsync(s => s.ListExecutions(new ListExecutionsRequest { JobName = JobName }, Context()))).Executions.ToList();
            if (executions.Count >= count && executions.All(e => e.Status != ExecutionStatus.Started))
            {
                return executions;
            }

            await Task.Delay(100, deadline.Token);
        }
    }

    private async Task<T> CallAsync<T>(Func<JobControlService, Task<T>> call)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<JobControlService>());
    }

    private static TestServerCallContext Context() => new(TestContext.Current.CancellationToken);
}
