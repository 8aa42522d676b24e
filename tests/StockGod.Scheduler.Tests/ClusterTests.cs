using System.Collections.Concurrent;
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

/// <summary>Two Scheduler replicas (two clustered Quartz schedulers over one database), each a full host.</summary>
public sealed class ClusterTests
{
    private const string TickJobName = "tick";

    [Fact]
    public async Task Two_replicas_execute_every_firing_exactly_once_and_the_survivor_carries_on_when_one_stops()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var connectionString = await TestServers.CreateDatabaseAsync("cluster");
        var firings = new FiringLog();
        var redis = await TestServers.RedisAsync();
        using var replicaA = BuildReplica(connectionString, redis, firings);
        using var replicaB = BuildReplica(connectionString, redis, firings);
        await Task.WhenAll(replicaA.StartAsync(cancellation), replicaB.StartAsync(cancellation));

        var instanceB = await InstanceIdAsync(replicaB);
        await firings.WaitForAsync(count: 8, cancellation);
        await replicaA.StopAsync(cancellation);
        var afterStop = firings.Count;
        await firings.WaitForAsync(count: afterStop + 4, cancellation);
        await replicaB.StopAsync(cancellation);

        var recorded = firings.All;
        var byFireTime = recorded.GroupBy(f => f.FireTime).ToList();
        Assert.All(byFireTime, g => Assert.Single(g));

        // Every second between the first and the last firing ran: nothing was lost while a replica went away.
        var times = byFireTime.Select(g => g.Key).Order().ToList();
        Assert.Equal((int)(times[^1] - times[0]).TotalSeconds + 1, times.Count);

        Assert.Contains(recorded.Skip(afterStop + 1), f => f.InstanceId == instanceB);

        // The monitoring saw the same runs: one completed execution per firing, stamped with the replica that ran it.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(dataSource);
        await using var db = new TradingDbContext(options.Options);
        var executions = await db.JobExecutions.ToListAsync(cancellation);
        Assert.Equal(recorded.Count, executions.Count);
        Assert.All(executions, e => Assert.Equal(JobExecutionStatus.Completed, e.Status));
        Assert.Equal(
            recorded.GroupBy(f => f.InstanceId).ToDictionary(g => g.Key, g => g.Count()),
            executions.GroupBy(e => e.InstanceId!).ToDictionary(g => g.Key, g => g.Count()));
    }

    private static async Task<string> InstanceIdAsync(IHost replica)
    {
        var scheduler = await replica.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        return await scheduler.GetSchedulerInstanceId();
    }

    private static IHost BuildReplica(string connectionString, string redis, FiringLog firings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["ConnectionStrings:stockgod"] = connectionString;
        builder.Configuration["ConnectionStrings:redis"] = redis;
        builder.Configuration["Scheduler:ClusterCheckinInterval"] = "00:00:02";
        builder.AddTradingDatabase();
        builder.AddRedisClient("redis");
        builder.AddSchedulerEngine(
            [new(TickJobName, typeof(TickJob), "Fires every second", [new("* * * * * ?", TradingWindow.Always, CronTriggerMisfireInstruction.DoNothing)])]);
        builder.Services.AddSingleton(firings);
        return builder.Build();
    }

    internal sealed record Firing(DateTimeOffset FireTime, string InstanceId);

    internal sealed class FiringLog
    {
        private readonly ConcurrentQueue<Firing> _firings = new();
        private readonly SemaphoreSlim _signal = new(0);

        public int Count => _firings.Count;

        public IReadOnlyList<Firing> All => [.. _firings];

        public void Record(Firing firing)
        {
            _firings.Enqueue(firing);
            _signal.Release();
        }

        public async Task WaitForAsync(int count, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromMinutes(2));
            while (Count < count)
            {
                await _signal.WaitAsync(deadline.Token);
            }
        }
    }

    [DisallowConcurrentExecution]
    internal sealed class TickJob(JobRunner runner, FiringLog firings) : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
            runner.RunAsync(context, (run, _) =>
            {
                firings.Record(new Firing(run.FireTime, context.Scheduler.SchedulerInstanceId));
                return Task.CompletedTask;
            }, cancellationToken);
    }
}
