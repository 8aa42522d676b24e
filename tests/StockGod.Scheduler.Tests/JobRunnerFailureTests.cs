using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Extensions;
using StockGod.Testing;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

/// <summary>JobRunner records every way a run can fail, through a running Quartz engine.</summary>
public sealed class JobRunnerFailureTests
{
    private const string JobName = "times_out";

    [Fact]
    public async Task A_timeout_surfacing_as_a_cancellation_the_scheduler_did_not_ask_for_is_a_recorded_failure()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var connectionString = await TestServers.CreateDatabaseAsync("jobrunner");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["ConnectionStrings:stockgod"] = connectionString;
        builder.Configuration["ConnectionStrings:redis"] = await TestServers.RedisAsync();
        builder.AddTradingDatabase();
        builder.AddRedisClient("redis");
        builder.AddSchedulerEngine(
            [new(JobName, typeof(TimingOutJob), "Fails as an HTTP timeout does", [new("0 0 12 1 1 ? 2099", TradingWindow.Always, CronTriggerMisfireInstruction.DoNothing)])]);
        using var host = builder.Build();
        await host.StartAsync(cancellation);
        try
        {
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellation);
            await scheduler.TriggerJob(new JobKey(JobName, JobDefinition.QuartzGroup), new JobDataMap { [JobRunner.ManualFiringKey] = "true" }, cancellation);

            // Before the fix the exception escaped to Quartz and the execution stayed "started": the deadline fails it.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(TimeSpan.FromMinutes(1));
            var contexts = host.Services.GetRequiredService<IDbContextFactory<TradingDbContext>>();
            while (true)
            {
                await using var db = await contexts.CreateDbContextAsync(deadline.Token);
                var execution = await db.JobExecutions.SingleOrDefaultAsync(deadline.Token);
                if (execution is { Status: not JobExecutionStatus.Started })
                {
                    Assert.Equal(JobExecutionStatus.Failed, execution.Status);
                    Assert.StartsWith("TaskCanceledException: ", execution.ErrorMessage, StringComparison.Ordinal);
                    var job = await db.ScheduledJobs.SingleAsync(j => j.Name == JobName, deadline.Token);
                    Assert.Equal((1, 1L), (job.ConsecutiveFailures, job.FailureCount));
                    break;
                }

                await Task.Delay(50, deadline.Token);
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [DisallowConcurrentExecution]
    internal sealed class TimingOutJob(JobRunner runner) : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
            runner.RunAsync(context, (_, _) => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing."), cancellationToken);
    }
}
