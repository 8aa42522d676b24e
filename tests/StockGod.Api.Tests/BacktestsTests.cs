using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;
using StockGod.Trading.Strategies;

namespace StockGod.Api.Tests;

/// <summary>Backtests through the Api: queued, run by the Api's runner over real history, persisted, served, canceled.</summary>
public sealed class BacktestsTests(BacktestApiFactory factory) : IClassFixture<BacktestApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Twenty real symbols over three years, SMA(10/30) with commission and slippage: a busy run.</summary>
    private static readonly string[] Universe = [.. HoldableHistoricalMarketData.Data.BarsBySymbol.Keys.Order(StringComparer.Ordinal).Take(20)];

    private static object Request(string[]? universe = null, string start = "2014-01-01", string end = "2016-12-31") => new
    {
        strategy = SmaCrossoverStrategy.Name,
        parameters = new { fastPeriod = 10, slowPeriod = 30 },
        universe = universe ?? Universe,
        start,
        end,
        initial_cash = "100000",
        slippage_bps = "5",
        commission = new { per_share = "0.005", minimum = "1", max_share_of_value = "0.01" },
    };

    [Fact]
    public async Task A_submitted_backtest_is_accepted_runs_and_serves_the_engines_exact_result()
    {
        var alice = await factory.CreateUserAsync();

        var accepted = await alice.Http.PostAsJsonAsync("/api/v1/backtests", Request(), Ct);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/backtests/{id}", accepted.Headers.Location?.OriginalString);
        var run = await WaitUntilFinishedAsync(alice, accepted.Headers.Location!.OriginalString);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("1", run.GetProperty("progress").GetString());

        var result = await (await alice.Http.GetAsync($"/api/v1/backtests/{id}/result", Ct)).ReadJsonAsync();

        // The same settings through the engine in this process: the stored, served result must be that, to the digit.
        var expected = new BacktestEngine().Run(
            new BacktestSettings
            {
                StrategyType = SmaCrossoverStrategy.Name,
                ParametersJson = """{"fastPeriod":10,"slowPeriod":30}""",
                Universe = Universe,
                Start = new DateOnly(2014, 1, 1),
                End = new DateOnly(2016, 12, 31),
                SlippageBps = 5m,
                Commission = new PerShareCommissionModel(0.005m, 1m, 0.01m),
            },
            HoldableHistoricalMarketData.Data.BarsBySymbol,
            null,
            Ct);
        var statistics = result.GetProperty("statistics");
        Assert.Equal(expected.Strategy.Statistics.FinalEquity, Decimal(statistics, "final_equity"));
        Assert.Equal(expected.Strategy.Statistics.TotalReturn, Decimal(statistics, "total_return"));
        Assert.Equal(expected.Strategy.Statistics.Sharpe, Decimal(statistics, "sharpe"));
        Assert.Equal(expected.Strategy.Statistics.MaxDrawdown.Depth, Decimal(statistics.GetProperty("max_drawdown"), "depth"));
        Assert.Equal(expected.Strategy.Statistics.TradeCount, statistics.GetProperty("trade_count").GetInt32());
        Assert.True(expected.Strategy.Statistics.TradeCount > 10, "expected a busy run");
        Assert.Equal(expected.Benchmark.Statistics.FinalEquity, Decimal(result.GetProperty("benchmark_statistics"), "final_equity"));

        var curve = result.GetProperty("equity_curve");
        Assert.Equal(expected.Strategy.EquityCurve.Count, curve.GetArrayLength());
        Assert.Equal(expected.Strategy.EquityCurve[^1].Equity, Decimal(curve[curve.GetArrayLength() - 1], "equity"));
        Assert.Equal(curve.GetArrayLength(), result.GetProperty("benchmark_equity_curve").GetArrayLength());
        Assert.Equal(expected.Strategy.DailyReturns.Select(r => r.ToString(CultureInfo.InvariantCulture)).ToList(),
            result.GetProperty("daily_returns").EnumerateArray().Select(r => decimal.Parse(r.GetString()!, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)).ToList());
        Assert.Equal(expected.Strategy.Trades.Count, result.GetProperty("trades").GetArrayLength());
        Assert.Equal(expected.Fills.Count, result.GetProperty("fills").GetArrayLength());
    }

    [Fact]
    public async Task Running_the_same_backtest_again_gives_an_identical_result()
    {
        var alice = await factory.CreateUserAsync();
        var first = await SubmitAsync(alice, Request());
        var second = await SubmitAsync(alice, Request());
        Assert.NotEqual(first, second);

        await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{first}");
        await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{second}");
        var one = JsonNode.Parse(await alice.Http.GetStringAsync($"/api/v1/backtests/{first}/result", Ct))!.AsObject();
        var two = JsonNode.Parse(await alice.Http.GetStringAsync($"/api/v1/backtests/{second}/result", Ct))!.AsObject();

        Assert.Equal(first.ToString(), (string?)one["id"]);
        one.Remove("id");
        two.Remove("id");
        Assert.True(one["fills"]!.AsArray().Count > 0);
        Assert.Equal(one.ToJsonString(), two.ToJsonString());
    }

    [Fact]
    public async Task A_running_backtest_stops_when_canceled()
    {
        var alice = await factory.CreateUserAsync();
        factory.History.Hold();
        try
        {
            var id = await SubmitAsync(alice, Request());
            await factory.History.Waiting.WaitAsync(Ct);

            // Claimed and loading its bars: running, with no result yet.
            var running = await (await alice.Http.GetAsync($"/api/v1/backtests/{id}", Ct)).ReadJsonAsync();
            Assert.Equal("running", running.GetProperty("status").GetString());
            await (await alice.Http.GetAsync($"/api/v1/backtests/{id}/result", Ct)).AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");

            var cancel = await alice.Http.PostAsync($"/api/v1/backtests/{id}/cancel", null, Ct);

            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            Assert.True((await cancel.ReadJsonAsync()).GetProperty("cancel_requested").GetBoolean());
            var canceled = await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{id}");
            Assert.Equal("canceled", canceled.GetProperty("status").GetString());
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            Assert.False(await db.BacktestRunResults.AnyAsync(r => r.RunId == id, Ct));

            // Canceling a finished run is a conflict, not a silent success.
            await (await alice.Http.PostAsync($"/api/v1/backtests/{id}/cancel", null, Ct)).AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        }
        finally
        {
            factory.History.Release();
        }
    }

    [Fact]
    public async Task A_run_whose_lease_expired_is_reclaimed_and_one_under_a_live_lease_is_left_alone()
    {
        var alice = await factory.CreateUserAsync();
        var now = DateTimeOffset.UtcNow;
        var crashed = NewRun(alice.Id);
        crashed.Claim("crashed-replica", now.AddMinutes(-10), TimeSpan.FromMinutes(1));
        var busyElsewhere = NewRun(alice.Id);
        busyElsewhere.Claim("live-replica", now, TimeSpan.FromHours(1));
        var givenUp = NewRun(alice.Id);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            givenUp.Claim($"dying-replica-{attempt}", now.AddMinutes(-30 + (attempt * 5)), TimeSpan.FromMinutes(1));
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            db.BacktestRuns.AddRange(crashed, busyElsewhere, givenUp);
            await db.SaveChangesAsync(Ct);
        }

        var reclaimed = await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{crashed.Id}");
        var abandoned = await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{givenUp.Id}");

        Assert.Equal("completed", reclaimed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync($"/api/v1/backtests/{crashed.Id}/result", Ct)).StatusCode);
        Assert.Equal("failed", abandoned.GetProperty("status").GetString());
        Assert.Contains("interrupted 3 times", abandoned.GetProperty("error").GetString(), StringComparison.Ordinal);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            Assert.Equal(2, (await db.BacktestRuns.AsNoTracking().SingleAsync(r => r.Id == crashed.Id, Ct)).Attempts);
            var untouched = await db.BacktestRuns.AsNoTracking().SingleAsync(r => r.Id == busyElsewhere.Id, Ct);
            Assert.Equal((BacktestRunStatus.Running, "live-replica", 1), (untouched.Status, untouched.LeaseOwner, untouched.Attempts));
        }
    }

    [Fact]
    public async Task The_chart_is_a_png_of_the_equity_curve()
    {
        var alice = await factory.CreateUserAsync();
        var id = await SubmitAsync(alice, Request(start: "2015-01-01", end: "2015-12-31"));
        await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{id}");

        var chart = await alice.Http.GetAsync($"/api/v1/backtests/{id}/chart", Ct);

        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Equal("image/png", chart.Content.Headers.ContentType?.MediaType);
        var png = await chart.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        // IHDR follows the signature: big-endian width and height.
        Assert.Equal((1000, 500), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        Assert.True(png.Length > 5_000, $"a drawn chart is more than an empty image ({png.Length} bytes)");
    }

    [Fact]
    public async Task Another_users_backtest_is_a_404_and_not_listed()
    {
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        var id = await SubmitAsync(alice, Request(universe: ["AAPL"], start: "2014-01-01", end: "2014-06-30"));
        await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{id}");

        foreach (var path in new[] { "", "/result", "/chart" })
        {
            await (await bob.Http.GetAsync($"/api/v1/backtests/{id}{path}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        }

        await (await bob.Http.PostAsync($"/api/v1/backtests/{id}/cancel", null, Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        Assert.Equal(0, (await (await bob.Http.GetAsync("/api/v1/backtests", Ct)).ReadJsonAsync()).GetProperty("backtests").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync($"/api/v1/backtests/{id}/result", Ct)).StatusCode);
    }

    [Fact]
    public async Task The_list_pages_through_the_callers_runs_newest_first()
    {
        var alice = await factory.CreateUserAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await SubmitAsync(alice, Request(universe: ["MSFT"], start: "2014-01-01", end: "2014-02-28")));
        }

        var first = await (await alice.Http.GetAsync("/api/v1/backtests?limit=2", Ct)).ReadJsonAsync();
        var second = await (await alice.Http.GetAsync($"/api/v1/backtests?limit=2&cursor={first.GetProperty("next_cursor").GetGuid()}", Ct)).ReadJsonAsync();

        var listed = first.GetProperty("backtests").EnumerateArray().Concat(second.GetProperty("backtests").EnumerateArray()).Select(r => r.GetProperty("id").GetGuid());
        Assert.Equal(Enumerable.Reverse(ids), listed);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Unknown_strategies_bad_parameters_and_bad_ranges_are_400s_naming_each_field()
    {
        var alice = await factory.CreateUserAsync();

        var unknown = await alice.Http.PostAsJsonAsync("/api/v1/backtests", new { strategy = "get_rich_quick", universe = new[] { "AAPL" }, start = "2014-01-01", end = "2014-12-31" }, Ct);
        var errors = await unknown.AssertValidationProblemAsync("strategy");
        Assert.Contains(SmaCrossoverStrategy.Name, errors.GetProperty("strategy")[0].GetString(), StringComparison.Ordinal);

        var bad = await alice.Http.PostAsJsonAsync("/api/v1/backtests", new
        {
            strategy = SmaCrossoverStrategy.Name,
            parameters = new { fastPeriod = 50, slowPeriod = 20 },
            universe = new[] { "AAPL", "not a symbol" },
            start = "2016-01-01",
            end = "2015-01-01",
            initial_cash = "0",
            slippage_bps = "5000",
            commission = new { per_share = "-1" },
            risk = new { max_position_fraction = "2" },
        }, Ct);
        await bad.AssertValidationProblemAsync(
            "parameters.fastPeriod", "universe", "end", "initial_cash", "slippage_bps", "commission.per_share", "risk.max_position_fraction");

        var missing = await alice.Http.PostAsJsonAsync("/api/v1/backtests", new { strategy = SmaCrossoverStrategy.Name, parameters = new { fastPeriod = 5, unknownField = 1 } }, Ct);
        await missing.AssertValidationProblemAsync("universe", "start", "end", "parameters.unknownField");

        // Nothing was queued by any of them.
        Assert.Equal(0, (await (await alice.Http.GetAsync("/api/v1/backtests", Ct)).ReadJsonAsync()).GetProperty("backtests").GetArrayLength());
    }

    [Fact]
    public async Task A_universe_without_history_in_the_range_fails_with_the_reason()
    {
        var alice = await factory.CreateUserAsync();
        var id = await SubmitAsync(alice, Request(universe: ["AAPL"], start: "2001-01-01", end: "2001-12-31"));

        var run = await WaitUntilFinishedAsync(alice, $"/api/v1/backtests/{id}");

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("no bars for the universe in the date range", run.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static BacktestRun NewRun(Guid ownerId) => new(
        Guid.CreateVersion7(), ownerId, SmaCrossoverStrategy.Name, JsonDocument.Parse("{}"), ["AAPL", "MSFT"], new DateOnly(2014, 1, 1), new DateOnly(2014, 12, 31),
        100_000m, 0m, PerShareCommission.Free, BacktestSettings.DefaultLimits, 0m, DateTimeOffset.UtcNow);

    private static decimal? Decimal(JsonElement element, string property) =>
        element.GetProperty(property) is { ValueKind: JsonValueKind.String } value ? decimal.Parse(value.GetString()!, CultureInfo.InvariantCulture) : null;

    private static async Task<Guid> SubmitAsync(UserClient user, object request)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/backtests", request, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>Polls the run as a client would until it completes, fails or is canceled; a generous guard turns a hang into a failure.</summary>
    internal static async Task<JsonElement> WaitUntilFinishedAsync(UserClient user, string location)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromMinutes(5));
        while (true)
        {
            var run = await (await user.Http.GetAsync(location, guard.Token)).ReadJsonAsync();
            if (run.GetProperty("status").GetString() is "completed" or "failed" or "canceled")
            {
                return run;
            }

            await Task.Delay(50, guard.Token);
        }
    }
}

public sealed class BacktestRateLimitFactory : BacktestApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["RateLimiting:Backtests:PermitLimit"] = "5",
        ["RateLimiting:Backtests:Window"] = "00:10:00",
    };
}

public sealed class BacktestRateLimitTests(BacktestRateLimitFactory factory) : IClassFixture<BacktestRateLimitFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sixth_submission_within_ten_minutes_is_a_429_with_retry_after_while_polling_goes_on()
    {
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        var request = new { strategy = SmaCrossoverStrategy.Name, universe = new[] { "AAPL" }, start = "2014-01-01", end = "2014-03-31" };

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await alice.Http.PostAsJsonAsync("/api/v1/backtests", request, Ct));
        }

        Assert.All(answers.Take(5), r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await answers[5].AssertProblemAsync(HttpStatusCode.TooManyRequests, "https://stockgod.dev/problems/rate-limited");
        var retryAfter = int.Parse(answers[5].Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 600);

        // Reading runs is not a submission, and the limit is per user.
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync(answers[0].Headers.Location, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await bob.Http.PostAsJsonAsync("/api/v1/backtests", request, Ct)).StatusCode);
    }
}
