using System.Text.Json;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Extensions;
using StockGod.Scheduler.Grpc;
using StockGod.Scheduler.Jobs.Strategies;
using StockGod.Scheduler.Tests.Support;
using StockGod.Scheduler.V1;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Execution;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;

namespace StockGod.Scheduler.Tests;

/// <summary>
/// End to end through the Scheduler against an Alpaca that is down: clustered Quartz fires the jobs (as JobControl's
/// "trigger now" does), JobRunner records every run, and the real Alpaca gateway talks HTTP to the fake, which answers
/// 500 to everything. Every run of strategy_execution, order_status_check and position_sync fails and is recorded;
/// the tenth trips the job's circuit breaker, after which neither an operator nor the schedule runs it, until a reset.
/// </summary>
public sealed class AlpacaOutageTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private const int Symbols = 10;

    [Fact]
    public async Task Alpaca_answering_500_fails_every_run_ten_failures_trip_each_jobs_breaker_and_a_reset_restores_it()
    {
        await using var alpaca = await SchedulerOverFakeAlpaca.StartAlpacaAsync();
        var market = new MarketBoard();
        await using var scheduler = await SchedulerOverFakeAlpaca.StartAsync(database, alpaca, market);
        var now = DateTimeOffset.UtcNow;
        var (portfolioId, _) = await StrategySeed.PortfolioAsync(database, now, TradingMode.Paper);
        // 5 % of equity per order, so each firing's one BUY fits whatever earlier firings left pending.
        var strategyId = await StrategySeed.SmaCrossoverAsync(
            database, portfolioId, now, new RiskLimits(0.05m, 1_000_000m, 0m, 20), [.. Enumerable.Range(0, Symbols).Select(Symbol)]);
        for (var i = 0; i < Symbols; i++)
        {
            market.Set(Symbol(i), now, 10m, StrategySeed.Flat);
            alpaca.Brokerage.SetPrice(Symbol(i), 10m);
        }

        alpaca.Faults.FailEverything(500);

        // strategy_execution: each firing has a fresh BUY (a different symbol crosses each time), so each sends an
        // order that Alpaca never takes. The order stays pending_new and the run fails.
        for (var run = 0; run < 10; run++)
        {
            market.Set(Symbol(run), now, 10m, StrategySeed.CrossesUp);
            await scheduler.RunOnceAsync(JobCatalog.StrategyExecution, expectedExecutions: run + 1);
            market.Set(Symbol(run), now, 10m, StrategySeed.Flat);
        }

        await scheduler.AssertTrippedAsync(JobCatalog.StrategyExecution, alpaca);
        var pending = await OrdersAsync(portfolioId);
        Assert.Equal(10, pending.Count);
        Assert.All(pending, o => Assert.Equal((OrderStatus.PendingNew, (Guid?)null, strategyId), (o.Status, o.BrokerOrderId, o.StrategyId)));
        Assert.Empty(alpaca.Brokerage.Orders);
        // Each order was sent once: the lookup that could have proved it absent failed too, so it was not sent blindly again.
        Assert.Equal(10, alpaca.CountRequests("POST", "/v2/orders"));

        // order_status_check: the pending orders are asked about (one list call per portfolio), which fails.
        for (var run = 0; run < 10; run++)
        {
            await scheduler.RunOnceAsync(JobCatalog.OrderStatusCheck, expectedExecutions: run + 1);
        }

        await scheduler.AssertTrippedAsync(JobCatalog.OrderStatusCheck, alpaca);

        // position_sync: a failed positions call is never "flat"; the run fails and nothing changes.
        for (var run = 0; run < 10; run++)
        {
            await scheduler.RunOnceAsync(JobCatalog.PositionSync, expectedExecutions: run + 1);
        }

        await scheduler.AssertTrippedAsync(JobCatalog.PositionSync, alpaca);
        await using (var db = database.CreateDbContext())
        {
            Assert.False(await db.Positions.AnyAsync(p => p.PortfolioId == portfolioId, SchedulerOverFakeAlpaca.Ct));
            Assert.False(await db.PositionDiscrepancies.AnyAsync(d => d.PortfolioId == portfolioId, SchedulerOverFakeAlpaca.Ct));
        }

        // Alpaca is back and an operator resets the breakers: the jobs run again, and order_status_check resumes the
        // pending orders by client_order_id: each is sent once and recorded with Alpaca's id.
        alpaca.Faults.Clear();
        foreach (var job in (string[])[JobCatalog.OrderStatusCheck, JobCatalog.PositionSync, JobCatalog.StrategyExecution])
        {
            var reset = await scheduler.CallAsync(s => s.ResetCircuitBreaker(new JobRequest { Name = job }, scheduler.Context()));
            Assert.Equal((JobStatus.Enabled, 0), (reset.Status, reset.ConsecutiveFailures));
            await scheduler.RunOnceAsync(job, expectedExecutions: 11, expectCompleted: true);
        }

        var recorded = await OrdersAsync(portfolioId);
        Assert.Equal(10, alpaca.Brokerage.Orders.Count);
        Assert.All(recorded, o =>
        {
            var atAlpaca = Assert.Single(alpaca.Brokerage.Orders, a => a.ClientOrderId == o.ClientOrderId);
            Assert.Equal(atAlpaca.Id, o.BrokerOrderId);
            Assert.NotEqual(OrderStatus.PendingNew, o.Status);
        });

        await scheduler.AssertNoSecretsAsync(alpaca);
    }

    private static string Symbol(int i) => $"OUT{(char)('A' + i)}";

    private async Task<List<Order>> OrdersAsync(Guid portfolioId)
    {
        await using var db = database.CreateDbContext();
        return await db.Orders.AsNoTracking().Where(o => o.PortfolioId == portfolioId).ToListAsync(SchedulerOverFakeAlpaca.Ct);
    }
}

/// <summary>
/// strategy_execution through the Scheduler while Alpaca answers intermittently 500, 429 and "accepted, but the answer
/// never came": every order the firing decided reaches Alpaca exactly once, under its client_order_id, and is recorded
/// with Alpaca's id; a later firing and order_status_check send nothing more.
/// </summary>
public sealed class AlpacaIntermittentFaultTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task Intermittent_500_429_and_timeouts_after_accept_leave_exactly_one_alpaca_order_per_client_order_id()
    {
        await using var alpaca = await SchedulerOverFakeAlpaca.StartAlpacaAsync();
        var market = new MarketBoard();
        await using var scheduler = await SchedulerOverFakeAlpaca.StartAsync(database, alpaca, market);
        var now = DateTimeOffset.UtcNow;
        var (portfolioId, _) = await StrategySeed.PortfolioAsync(database, now, TradingMode.Paper);
        string[] symbols = ["FLTA", "FLTB", "FLTC"];
        var strategyId = await StrategySeed.SmaCrossoverAsync(database, portfolioId, now, new RiskLimits(0.1m, 1_000_000m, 0m, 10), symbols);
        foreach (var symbol in symbols)
        {
            market.Set(symbol, now, 10m, StrategySeed.CrossesUp);
            alpaca.Brokerage.SetPrice(symbol, 10m);
        }

        // The orders are sent one after another; each fault is taken by the next matching request.
        // 1st order: 500 (not processed) → lookup 500, retried → 404 → sent again: 429, waited out → accepted, no answer
        //            (the attempt times out) → found by client_order_id.
        // 2nd order: accepted, then the connection drops → found by client_order_id.
        // 3rd order: accepted, no answer → found by client_order_id.
        alpaca.Faults.FailNext("POST", "/v2/orders", statusCode: 500);
        alpaca.Faults.FailNext("GET", "/v2/orders:by_client_order_id", statusCode: 500);
        alpaca.Faults.RateLimitNext("POST", "/v2/orders", resetIn: TimeSpan.FromSeconds(1));
        alpaca.Faults.ProcessThenHangNext("POST", "/v2/orders");
        alpaca.Faults.ProcessThenDisconnectNext("POST", "/v2/orders");
        alpaca.Faults.ProcessThenHangNext("POST", "/v2/orders");

        var firing = await scheduler.RunOnceAsync(JobCatalog.StrategyExecution, expectedExecutions: 1, expectCompleted: true);
        Assert.Equal(3, JsonDocument.Parse(firing.MetadataJson).RootElement.GetProperty("orders_placed").GetInt64());

        // A later firing (its signals already acted on) and the order sync: nothing is sent again.
        await scheduler.RunOnceAsync(JobCatalog.StrategyExecution, expectedExecutions: 2, expectCompleted: true);
        await scheduler.RunOnceAsync(JobCatalog.OrderStatusCheck, expectedExecutions: 1, expectCompleted: true);

        var posts = alpaca.Requests.Where(r => r is { Method: "POST", Path: "/v2/orders" }).ToList();
        Assert.Equal([500, 429, 0, 0, 0], posts.Select(r => r.StatusCode));
        Assert.Equal(
            [FakeAlpacaRequestOutcome.TimedOut, FakeAlpacaRequestOutcome.Disconnected, FakeAlpacaRequestOutcome.TimedOut],
            posts.Skip(2).Select(r => r.Outcome));
        Assert.Equal(3, alpaca.Brokerage.Orders.Count);
        Assert.Equal(3, alpaca.Brokerage.Orders.Select(o => o.ClientOrderId).Distinct().Count());
        await using var db = database.CreateDbContext();
        var orders = await db.Orders.AsNoTracking().Where(o => o.PortfolioId == portfolioId).ToListAsync(SchedulerOverFakeAlpaca.Ct);
        Assert.Equal(3, orders.Count);
        Assert.All(orders, o =>
        {
            var atAlpaca = Assert.Single(alpaca.Brokerage.Orders, a => a.ClientOrderId == o.ClientOrderId);
            Assert.Equal((atAlpaca.Id, strategyId), (o.BrokerOrderId, o.StrategyId));
            Assert.NotEqual(OrderStatus.PendingNew, o.Status);
            Assert.NotEqual(OrderStatus.Rejected, o.Status);
        });

        await scheduler.AssertNoSecretsAsync(alpaca);
    }
}

/// <summary>
/// A Scheduler process as Program.cs composes it (clustered Quartz engine, trading database, Redis events, every
/// broker behind the gateway factory, order execution, JobControl) for strategy_execution, order_status_check and
/// position_sync, with Alpaca paper keys pointing at the fake and market data from a <see cref="MarketBoard"/>. The
/// jobs' cron schedules are moved to 2099 so only the test's triggers fire them; logs are collected.
/// </summary>
internal sealed class SchedulerOverFakeAlpaca : IAsyncDisposable
{
    private static readonly string[] Jobs = [JobCatalog.StrategyExecution, JobCatalog.OrderStatusCheck, JobCatalog.PositionSync];

    private readonly IHost _host;

    private SchedulerOverFakeAlpaca(IHost host) => _host = host;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<FakeAlpacaServer> StartAlpacaAsync()
    {
        var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: Ct);
        alpaca.RateLimit = 100_000; // budget enforcement is AlpacaRateLimitTests' subject, not this one's
        alpaca.Brokerage.Cash = 100_000m;
        return alpaca;
    }

    public static async Task<SchedulerOverFakeAlpaca> StartAsync(TradingDatabaseFixture database, FakeAlpacaServer alpaca, MarketBoard market)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(alpaca.ConfigurationFor("Paper"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:stockgod"] = database.ConnectionString,
            ["ConnectionStrings:redis"] = await TestServers.RedisAsync(),
            // Bars complete at midnight New York: the test does not depend on the hour it runs at.
            ["SimulatedExchange:AlwaysOpen"] = "true",
            ["Alpaca:Paper:ReadRetryDelay"] = "00:00:00.010",
            ["Alpaca:Paper:OrderResendDelay"] = "00:00:00.010",
            // Long enough for the fake to process a POST on a busy machine; short, as every hang costs this long.
            ["Alpaca:Paper:RequestTimeout"] = "00:00:02",
            ["Alpaca:Paper:RequestsPerWindow"] = "100000",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFakeLogging();
        builder.Services.AddSingleton<IMarketDataSource>(market.Job);
        builder.AddTradingDatabase();
        builder.AddRedisClient("redis");
        builder.AddSchedulerEngine([.. JobCatalog.Default.Where(d => Jobs.Contains(d.Name)).Select(d => d with
        {
            Schedules = [new JobSchedule("0 0 12 1 1 ? 2099", TradingWindow.Always, CronTriggerMisfireInstruction.DoNothing)],
        })]);
        builder.AddBrokerage();
        builder.Services.AddOrderExecution();
        builder.Services.AddScoped<JobControlService>();
        var host = builder.Build();
        await host.StartAsync(Ct);
        return new SchedulerOverFakeAlpaca(host);
    }

    /// <summary>Triggers the job as an operator does and waits for its execution to be recorded.</summary>
    public async Task<Execution> RunOnceAsync(string job, int expectedExecutions, bool expectCompleted = false)
    {
        await CallAsync(s => s.TriggerJob(new JobRequest { Name = job }, Context()));
        var executions = await WaitForExecutionsAsync(job, expectedExecutions);
        var latest = executions[0];
        Assert.True(
            latest.Status == (expectCompleted ? ExecutionStatus.Completed : ExecutionStatus.Failed),
            $"{job} run {expectedExecutions}: {latest.Status} {latest.ErrorMessage} {latest.MetadataJson}");
        if (!expectCompleted)
        {
            Assert.False(string.IsNullOrEmpty(latest.ErrorMessage));
        }

        return latest;
    }

    /// <summary>
    /// The job is in error after ten failures in a row; JobControl refuses to trigger it, and a firing of its Quartz
    /// job (as the schedule would fire it) is refused by JobRunner: no execution, no request to Alpaca.
    /// </summary>
    public async Task AssertTrippedAsync(string job, FakeAlpacaServer alpaca)
    {
        var tripped = (await CallAsync(s => s.ListJobs(new ListJobsRequest(), Context()))).Jobs.Single(j => j.Name == job);
        Assert.Equal((JobStatus.Error, 10, 10L, 10L), (tripped.Status, tripped.ConsecutiveFailures, tripped.FailureCount, tripped.ExecutionCount));
        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(s => s.TriggerJob(new JobRequest { Name = job }, Context())));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

        var requests = alpaca.Requests.Count;
        var quartz = await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(Ct);
        var logs = _host.Services.GetFakeLogCollector();
        bool Refusal(FakeLogRecord r) => r.Message.StartsWith($"Job {job} did not run", StringComparison.Ordinal) && r.Message.EndsWith("CircuitOpen", StringComparison.Ordinal);
        var refusalsBefore = logs.GetSnapshot().Count(Refusal);
        await quartz.TriggerJob(new JobKey(job, JobDefinition.QuartzGroup), Ct);
        while (logs.GetSnapshot().Count(Refusal) == refusalsBefore)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(10, (await WaitForExecutionsAsync(job, 10)).Count);
        Assert.Equal(requests, alpaca.Requests.Count);
    }

    /// <summary>Neither the Alpaca keys nor anything else secret reached a log record or a job execution's error and metadata.</summary>
    public async Task AssertNoSecretsAsync(FakeAlpacaServer alpaca)
    {
        var records = _host.Services.GetFakeLogCollector().GetSnapshot();
        // The failure paths were logged, exceptions included, so a leak would have been seen.
        Assert.Contains(records, r => r.Level >= LogLevel.Warning && r.Exception is not null);
        var logged = string.Join('\n', records.Select(r =>
            $"{r.Message} {string.Join(' ', r.StructuredState?.Select(s => $"{s.Key}={s.Value}") ?? [])} {string.Join(' ', r.Scopes)} {r.Exception}"));
        var executions = new List<Execution>();
        foreach (var job in Jobs)
        {
            executions.AddRange((await CallAsync(s => s.ListExecutions(new ListExecutionsRequest { JobName = job, PageSize = 100 }, Context()))).Executions);
        }

        var recorded = string.Join('\n', executions.Select(e => $"{e.ErrorMessage} {e.MetadataJson}"));
        foreach (var key in (string[])[alpaca.SecretKey, alpaca.KeyId])
        {
            Assert.DoesNotContain(key, logged, StringComparison.Ordinal);
            Assert.DoesNotContain(key, recorded, StringComparison.Ordinal);
        }
    }

    public async Task<T> CallAsync<T>(Func<JobControlService, Task<T>> call)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<JobControlService>());
    }

    public TestServerCallContext Context() => new(Ct);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    /// <summary>Newest first, once at least <paramref name="count"/> exist and none is still running.</summary>
    private async Task<List<Execution>> WaitForExecutionsAsync(string job, int count)
    {
        while (true)
        {
            var executions = (await CallAsync(s => s.ListExecutions(new ListExecutionsRequest { JobName = job, PageSize = 100 }, Context()))).Executions.ToList();
            if (executions.Count >= count && executions.All(e => e.Status != ExecutionStatus.Started))
            {
                return executions;
            }

            await Task.Delay(50, Ct);
        }
    }
}
