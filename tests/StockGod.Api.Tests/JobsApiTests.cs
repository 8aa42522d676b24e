using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

/// <summary>The Api beside a real Scheduler (its own composition, on Kestrel) over the same database.</summary>
public class SchedulerApiFactory : ApiFactory
{
    public SchedulerTestHost Scheduler { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["services:scheduler:http:0"] = Scheduler.Address.ToString(),
    };

    protected override Task StartDependenciesAsync()
    {
        Scheduler = SchedulerTestHost.Start(DatabaseConnectionString, RedisConnectionString, MarketData.Address);
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Scheduler is not null)
        {
            await Scheduler.DisposeAsync();
        }
    }
}

public sealed class JobsApiTests(SchedulerApiFactory factory) : IClassFixture<SchedulerApiFactory>
{
    private const string Forbidden = "https://stockgod.dev/problems/forbidden";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Operators_see_every_job_with_its_stats_and_users_are_forbidden()
    {
        var operatorClient = await factory.OperatorAsync();
        var user = await factory.CreateUserAsync();

        var response = await operatorClient.Http.GetAsync("/api/v1/jobs", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jobs = (await response.ReadJsonAsync()).GetProperty("jobs").EnumerateArray().ToDictionary(j => j.GetProperty("name").GetString()!);
        Assert.Equal(["alert_price_check", "job_execution_retention", "order_status_check", "portfolio_snapshot", "position_sync", "price_update", "stock_screening", "strategy_execution"], jobs.Keys.Order());
        var retention = jobs["job_execution_retention"];
        Assert.Equal(10, retention.GetProperty("circuit_breaker_threshold").GetInt32());
        Assert.Equal("0 30 3 * * ?", retention.GetProperty("cron_expression").GetString());
        Assert.NotEqual(JsonValueKind.Null, retention.GetProperty("next_run_at").ValueKind);

        await (await user.Http.GetAsync("/api/v1/jobs", Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, Forbidden);
        await (await user.Http.PostAsync("/api/v1/jobs/job_execution_retention/trigger", null, Ct)).AssertProblemAsync(HttpStatusCode.Forbidden, Forbidden);
    }

    [Fact]
    public async Task Trigger_runs_the_job_now_and_the_run_shows_in_the_history()
    {
        var operatorClient = await factory.OperatorAsync();

        var triggered = await operatorClient.Http.PostAsync("/api/v1/jobs/job_execution_retention/trigger", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        Assert.Equal("job_execution_retention", (await triggered.ReadJsonAsync()).GetProperty("name").GetString());
        var execution = await WaitForExecutionAsync(operatorClient, "/api/v1/jobs/executions?job=job_execution_retention&status=completed");
        Assert.Equal("job_execution_retention", execution.GetProperty("job_name").GetString());
        Assert.Equal("completed", execution.GetProperty("status").GetString());
        Assert.True(execution.GetProperty("metadata").TryGetProperty("executions_deleted", out _), execution.ToString());
    }

    [Fact]
    public async Task Disable_pauses_the_job_and_enable_resumes_it()
    {
        var operatorClient = await factory.OperatorAsync();

        var disabled = await (await operatorClient.Http.PostAsync("/api/v1/jobs/alert_price_check/disable", null, Ct)).ReadJsonAsync();
        var listed = (await (await operatorClient.Http.GetAsync("/api/v1/jobs", Ct)).ReadJsonAsync()).GetProperty("jobs").EnumerateArray()
            .Single(j => j.GetProperty("name").GetString() == "alert_price_check");
        var enabled = await (await operatorClient.Http.PostAsync("/api/v1/jobs/alert_price_check/enable", null, Ct)).ReadJsonAsync();

        Assert.Equal("paused", disabled.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, disabled.GetProperty("next_run_at").ValueKind);
        Assert.Equal("paused", listed.GetProperty("status").GetString());
        Assert.Equal("enabled", enabled.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, enabled.GetProperty("next_run_at").ValueKind);
    }

    [Fact]
    public async Task A_tripped_job_is_a_409_until_its_circuit_breaker_is_reset_and_its_failures_page_through()
    {
        var operatorClient = await factory.OperatorAsync();
        await TripAsync("portfolio_snapshot");

        var refused = await operatorClient.Http.PostAsync("/api/v1/jobs/portfolio_snapshot/trigger", null, Ct);
        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");

        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await (await operatorClient.Http.GetAsync(
                "/api/v1/jobs/executions?job=portfolio_snapshot&status=failed&page_size=4" + (token is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(token)), Ct)).ReadJsonAsync();
            ids.AddRange(page.GetProperty("executions").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            token = page.GetProperty("next_page_token").GetString();
        }
        while (token is not null && ids.Count < 100);

        Assert.Equal(10, ids.Count);
        Assert.Equal(10, ids.Distinct().Count());

        var reset = await (await operatorClient.Http.PostAsync("/api/v1/jobs/portfolio_snapshot/reset-circuit-breaker", null, Ct)).ReadJsonAsync();
        Assert.Equal("enabled", reset.GetProperty("status").GetString());
        Assert.Equal(0, reset.GetProperty("consecutive_failures").GetInt32());
        Assert.Equal(10, reset.GetProperty("failure_count").GetInt64());
        Assert.Equal("broker down", reset.GetProperty("last_error_message").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/v1/jobs/no_such_job/trigger", HttpStatusCode.NotFound)]
    [InlineData("POST", "/api/v1/jobs/Not-A-Job!/enable", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/jobs/executions?job=no_such_job", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/jobs/executions?status=done", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/v1/jobs/executions?page_size=0", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/v1/jobs/executions?job=Bad-Name", HttpStatusCode.BadRequest)]
    public async Task Unknown_jobs_are_404_and_bad_filters_400(string method, string url, HttpStatusCode expected)
    {
        var operatorClient = await factory.OperatorAsync();

        var response = await operatorClient.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), Ct);

        await response.AssertProblemAsync(expected, expected == HttpStatusCode.NotFound ? "https://stockgod.dev/problems/not-found" : "https://stockgod.dev/problems/validation");
    }

    /// <summary>Ten failed runs in a row, recorded through the domain as the Scheduler's runner records them.</summary>
    private async Task TripAsync(string jobName)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var job = await db.ScheduledJobs.SingleAsync(j => j.Name == jobName, Ct);
        for (var i = 0; i < 10; i++)
        {
            var at = DateTimeOffset.UtcNow;
            var run = job.Start(Guid.CreateVersion7(at), at, "test");
            db.JobExecutions.Add(run);
            job.Fail(run, at, "broker down");
        }

        await db.SaveChangesAsync(Ct);
    }

    private static async Task<JsonElement> WaitForExecutionAsync(UserClient client, string url)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var executions = (await (await client.Http.GetAsync(url, Ct)).ReadJsonAsync()).GetProperty("executions");
            if (executions.GetArrayLength() > 0)
            {
                return executions[0];
            }

            await Task.Delay(250, Ct);
        }

        throw new TimeoutException($"No execution at {url}.");
    }
}

/// <summary>Without a reachable Scheduler the jobs endpoints answer 503, never a 500.</summary>
public sealed class SchedulerUnavailableTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Jobs_are_a_503_problem_when_the_scheduler_does_not_answer()
    {
        var operatorClient = await factory.OperatorAsync();

        var response = await operatorClient.Http.GetAsync("/api/v1/jobs", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "https://stockgod.dev/problems/service-unavailable");
    }
}

/// <summary>
/// The Api beside a "Scheduler" that accepts connections and never answers (a hung process, a black-holed network):
/// only the JobControl client's default deadline ends the call.
/// </summary>
public sealed class SilentSchedulerApiFactory : ApiFactory
{
    private readonly System.Net.Sockets.TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _held = [];
    private Task _accepting = Task.CompletedTask;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["services:scheduler:http:0"] = $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}",
        ["JobControl:Client:Deadline"] = "00:00:01",
    };

    protected override Task StartDependenciesAsync()
    {
        _silent.Start();
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    _held.Add(await _silent.AcceptTcpClientAsync());
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Stopped.
            }
            catch (ObjectDisposedException)
            {
                // Stopped.
            }
        });
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _silent.Stop();
        await _accepting;
        _held.ForEach(c => c.Dispose());
    }
}

public sealed class SilentSchedulerTests(SilentSchedulerApiFactory factory) : IClassFixture<SilentSchedulerApiFactory>
{
    [Fact]
    public async Task Jobs_are_a_503_problem_when_the_scheduler_accepts_but_never_answers()
    {
        var operatorClient = await factory.OperatorAsync();

        var response = await operatorClient.Http.GetAsync("/api/v1/jobs", TestContext.Current.CancellationToken);

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "https://stockgod.dev/problems/service-unavailable");
    }
}
