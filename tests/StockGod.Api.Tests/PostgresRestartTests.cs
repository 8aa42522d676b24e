using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using StockGod.AppHost.Local;
using StockGod.Api.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

/// <summary>
/// PostgreSQL restarted (fast shutdown, as <c>pg_ctl restart -m fast</c>) while the Api takes order POSTs and GETs and
/// the Scheduler runs jobs, all on a server of the test's own.
/// </summary>
public sealed class PostgresRestartTests(PostgresRestartTests.DedicatedPostgresApiFactory factory) : IClassFixture<PostgresRestartTests.DedicatedPostgresApiFactory>
{
    private const string Job = "job_execution_retention";
    private const int Clients = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Every order POST the Api acknowledged (2xx) exists afterwards; every request it could not serve is a 503
    /// ProblemDetails with Retry-After, never a 500; every Quartz firing of the job has its execution row, finished
    /// (completed or failed), none left started; and both services report Healthy again without a restart.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task Restarted_under_load_postgres_loses_no_acknowledged_order_nor_job_execution_and_the_services_reconnect()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await factory.CreateUserAsync();
        var operatorClient = await factory.OperatorAsync();
        var created = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Under load" }, ct);
        var portfolioId = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();
        var quartz = await factory.Scheduler.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(ct);
        var firings = new FiringCounter(Job);
        quartz.ListenerManager.AddJobListener(firings); // no matcher: every job

        var acknowledged = new ConcurrentBag<Guid>();
        var failures = new ConcurrentBag<string>();
        var unavailable = 0;
        var acceptedTriggers = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        async Task PlaceAndReadAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                // A limit far below the market rests at the exchange: no fills, hardly any buying power used.
                var placed = await user.Http.PostAsJsonAsync(
                    $"/api/v1/portfolios/{portfolioId}/orders", new { symbol = "AAPL", side = "buy", type = "limit", qty = "1", limit_price = "1.00" }, ct);
                if (placed.IsSuccessStatusCode)
                {
                    acknowledged.Add((await placed.ReadJsonAsync()).GetProperty("id").GetGuid());
                }
                else
                {
                    await RecordRefusalAsync(placed);
                }

                foreach (var path in new[] { $"/api/v1/portfolios/{portfolioId}/orders", $"/api/v1/portfolios/{portfolioId}" })
                {
                    var read = await user.Http.GetAsync(path, ct);
                    if (!read.IsSuccessStatusCode)
                    {
                        await RecordRefusalAsync(read);
                    }
                }
            }
        }

        async Task TriggerJobsAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var triggered = await operatorClient.Http.PostAsync($"/api/v1/jobs/{Job}/trigger", null, ct);
                if (triggered.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref acceptedTriggers);
                }
                else
                {
                    await RecordRefusalAsync(triggered);
                }

                await Task.Delay(200, ct);
            }
        }

        async Task RecordRefusalAsync(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable
                && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                && response.Headers.RetryAfter is not null)
            {
                Interlocked.Increment(ref unavailable);
                return;
            }

            failures.Add($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {body}");
        }

        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(PlaceAndReadAsync, ct)).Append(Task.Run(TriggerJobsAsync, ct)).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(acknowledged.Count >= 10 && firings.Executed >= 2), "no load before the restart", Ct, TimeSpan.FromSeconds(120));
        var acknowledgedBefore = acknowledged.Count;

        await factory.Postgres.RestartAsync(ct);

        // Load goes on until the Api has acknowledged orders again and the Scheduler has run the job again.
        var firingsAtRestart = firings.Executed;
        await Eventually.UntilAsync(() => Task.FromResult(acknowledged.Count >= acknowledgedBefore + 20 && firings.Executed >= firingsAtRestart + 2), "no recovery after the restart", Ct, TimeSpan.FromSeconds(120));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        // Broken pooled connections meet some requests whenever the restart falls: those are the 503s (12 in one run of 37 acknowledged orders).
        Assert.True(unavailable > 0, "no request met the restart, so the test proved nothing about it");
        TestContext.Current.SendDiagnosticMessage(
            $"{acknowledged.Count} orders acknowledged, {unavailable} requests answered 503, {acceptedTriggers} triggers accepted, {firings.Executed} firings");

        await Eventually.UntilAsync(async () => await HealthAsync(factory.CreateClient()) == "Healthy", "the Api never reported Healthy again", Ct, TimeSpan.FromSeconds(120));
        using var schedulerHttp = new HttpClient { BaseAddress = factory.Scheduler.Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        await Eventually.UntilAsync(async () => await HealthAsync(schedulerHttp) == "Healthy", "the Scheduler never reported Healthy again", Ct, TimeSpan.FromSeconds(120));

        foreach (var orderId in acknowledged)
        {
            var order = await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}", ct);
            Assert.True(order.StatusCode == HttpStatusCode.OK, $"acknowledged order {orderId} is gone: {(int)order.StatusCode}");
        }

        // Every accepted trigger fires (Quartz keeps it in the database); each firing ends with a finished row.
        await Eventually.UntilAsync(async () => firings.Executed >= acceptedTriggers && await CountExecutionsAsync(JobExecutionStatus.Started) == 0, "firings or executions still pending", Ct, TimeSpan.FromSeconds(120));
        var executions = await CountExecutionsAsync(null);
        Assert.Equal(firings.Executed, executions);
    }

    private async Task<int> CountExecutionsAsync(JobExecutionStatus? status)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var jobId = await db.ScheduledJobs.Where(j => j.Name == Job).Select(j => j.Id).SingleAsync(Ct);
        return await db.JobExecutions.CountAsync(e => e.JobId == jobId && (status == null || e.Status == status), Ct);
    }

    private static async Task<string> HealthAsync(HttpClient http)
    {
        var body = await (await http.GetAsync(new Uri("/health", UriKind.Relative), Ct)).Content.ReadAsStringAsync(Ct);
        // The Api in Development answers the detailed JSON report, the Scheduler in Production the bare status.
        return body.StartsWith('{') ? System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()! : body;
    }

    /// <summary>Counts the firings of one job that Quartz handed to it (the job ran, whatever it recorded).</summary>
    private sealed class FiringCounter(string jobName) : IJobListener
    {
        private int _executed;

        public string Name => $"test-firings-{jobName}";

        public int Executed => Volatile.Read(ref _executed);

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (context.JobDetail.Key.Name == jobName)
            {
                Interlocked.Increment(ref _executed);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The Api and a Scheduler over a database on a PostgreSQL server of this test's own, which it restarts.</summary>
    public sealed class DedicatedPostgresApiFactory : SchedulerApiFactory
    {
        public LocalPostgresServer Postgres { get; private set; } = null!;

        protected override async Task<string> DatabaseAsync()
        {
            Postgres = await TestServers.StartDedicatedPostgresAsync();
            await Postgres.CreateDatabaseAsync("stockgod");
            return Postgres.GetConnectionString("stockgod");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (Postgres is not null)
            {
                await Postgres.DisposeAsync();
            }
        }
    }
}
