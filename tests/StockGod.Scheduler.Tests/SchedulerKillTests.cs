using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.MarketData;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Tests;

/// <summary>
/// Fault injection on the real process (issue 8): the built Scheduler runs as a child process over real PostgreSQL and
/// Redis, the simulated exchange and MarketData (synthetic prices), its trading jobs firing every few seconds, and is
/// killed with SIGKILL at random (seeded) moments while a trading job is running, then started again, over and over.
/// Between lives, users add strategies, so every life has orders to place. Afterwards, with a clean Scheduler settled:
/// no client_order_id reached the broker twice, every order the books hold is the broker's order and vice versa, no
/// fill was lost or booked twice (the books equal the broker, position_sync never had to correct a difference, and the
/// fills ledger adds up to the cash and positions), and every execution a kill left started is marked abandoned.
/// <para>
/// <c>STOCKGOD_RELIABILITY_KILLS</c> sets the number of kills (8 by default, the CI run; 50 for the long run in
/// docs/reliability.md), <c>STOCKGOD_RELIABILITY_SEED</c> the random seed, and <c>STOCKGOD_RELIABILITY_REPORT</c> a
/// file the figures of the run are written to.
/// </para>
/// </summary>
public sealed class SchedulerKillTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private const int Portfolios = 16;
    private const int StrategiesPerLife = 5;

    private static readonly string[] Universe =
    [
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "V", "UNH", "XOM", "JNJ", "PG", "MA", "HD",
        "COST", "ABBV", "MRK", "PEP", "KO", "AVGO", "ADBE", "CRM", "NFLX", "AMD", "INTC", "CSCO", "ORCL", "WMT", "DIS",
    ];

    private static readonly string[] TradingJobs = [JobCatalog.StrategyExecution, JobCatalog.OrderStatusCheck, JobCatalog.PositionSync];

    /// <summary>Terminal order statuses (nothing more can happen); every other one is open.</summary>
    private const string Terminal = "('filled', 'canceled', 'expired', 'replaced', 'rejected')";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Killing_the_scheduler_at_random_points_during_trading_neither_loses_nor_duplicates_orders_or_fills()
    {
        var kills = EnvironmentInt("STOCKGOD_RELIABILITY_KILLS", 8);
        var seed = EnvironmentInt("STOCKGOD_RELIABILITY_SEED", 20261203);
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();

        var redis = await TestServers.RedisAsync();
        await using var marketData = await MarketDataTestHost.StartAsync(redis);
        var portfolios = new List<Guid>();
        for (var i = 0; i < Portfolios; i++)
        {
            portfolios.Add((await StrategySeed.PortfolioAsync(database, DateTimeOffset.UtcNow)).PortfolioId);
        }

        var environment = SchedulerEnvironment(database.ConnectionString, redis, marketData.Address);
        var leftStarted = new HashSet<Guid>();
        var killsMidRun = 0;
        for (var life = 0; life < kills; life++)
        {
            await AddStrategiesAsync(portfolios, random);
            marketData.Time.Advance(TimeSpan.FromSeconds(30)); // prices move between lives
            await using var scheduler = SchedulerProcess.Start(environment);

            // The kill point: a random few milliseconds into a trading job's run of this life.
            await WaitForAsync(() => StartedRunOfAsync(scheduler.StartedAt), TimeSpan.FromSeconds(90), scheduler, "a trading job to start");
            await Task.Delay(random.Next(0, 300), Ct);
            await scheduler.KillAsync();

            var started = await StartedExecutionsAsync();
            killsMidRun += started.Except(leftStarted).Any() ? 1 : 0;
            leftStarted.UnionWith(started);
        }

        var killing = clock.Elapsed;

        // A clean Scheduler settles everything the kills left behind, then is stopped the same way.
        await using (var final = SchedulerProcess.Start(environment))
        {
            await SettleAsync(final);
            await final.KillAsync();
        }

        await AssertNothingLostOrDuplicatedAsync(portfolios);

        var abandoned = await ScalarAsync<long>(
            "SELECT count(*) FROM job_executions WHERE status = 'failed' AND error_message LIKE 'Abandoned%'");
        var stillStarted = await ScalarAsync<long>($"SELECT count(*) FROM job_executions WHERE status = 'started' AND id = ANY(@ids)", leftStarted.ToArray());
        Assert.Equal(0, stillStarted);
        var markedAbandoned = await ScalarAsync<long>(
            "SELECT count(*) FROM job_executions WHERE id = ANY(@ids) AND status = 'failed' AND error_message LIKE 'Abandoned%'", leftStarted.ToArray());
        Assert.Equal(leftStarted.Count, markedAbandoned);
        Assert.True(killsMidRun > 0, "No kill landed while a job was running.");

        var orders = await ScalarAsync<long>("SELECT count(*) FROM orders");
        var fills = await ScalarAsync<long>("SELECT count(*) FROM fills");
        Assert.True(orders > 0 && fills > 0, $"The run traded nothing ({orders} orders, {fills} fills).");

        // Orders a killed run had saved but not recorded as sent, finished by a later run (strategy_execution's recovery
        // of the same firing, or order_status_check): looked up at the broker by client_order_id, sent only if missing.
        var resumed = await ScalarAsync<long>(
            "SELECT coalesce(sum((metadata ->> 'orders_resumed')::bigint), 0)::bigint FROM job_executions WHERE metadata ? 'orders_resumed'");
        var report = string.Create(
            CultureInfo.InvariantCulture,
            $"kills={kills} seed={seed} kills_mid_run={killsMidRun} orders={orders} fills={fills} orders_resumed={resumed} executions_left_started={leftStarted.Count} abandoned_marked={abandoned} duration={clock.Elapsed.TotalSeconds:F0}s (kills {killing.TotalSeconds:F0}s, settling {(clock.Elapsed - killing).TotalSeconds:F0}s)");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        if (Environment.GetEnvironmentVariable("STOCKGOD_RELIABILITY_REPORT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, report + Environment.NewLine, Ct);
        }
    }

    private static Dictionary<string, string> SchedulerEnvironment(string connectionString, string redis, Uri marketData) => new()
    {
        ["ConnectionStrings__stockgod"] = connectionString,
        ["ConnectionStrings__redis"] = redis,
        ["services__marketdata__http__0"] = marketData.ToString(),
        ["Logging__LogLevel__Default"] = "Warning",
        ["SimulatedExchange__AlwaysOpen"] = "true",
        // Orders rest a moment and fill a few shares at a time, so fills are booked by order_status_check, several per order.
        ["SimulatedExchange__FillLatency"] = "00:00:01",
        ["SimulatedExchange__MaxFillQuantityPerEvaluation"] = "4",
        ["Scheduler__Cadence__strategy_execution"] = "0/3 * * * * ?",
        ["Scheduler__Cadence__order_status_check"] = "0/2 * * * * ?",
        ["Scheduler__Cadence__position_sync"] = "1/5 * * * * ?",
        ["Scheduler__Cadence__price_update"] = "2/5 * * * * ?",
        // A killed replica is noticed (and its runs recovered and its executions marked) within seconds.
        ["Scheduler__ClusterCheckinInterval"] = "00:00:01",
        ["Scheduler__AbandonedExecutionSweepInterval"] = "00:00:01",
        ["Scheduler__AbandonedExecutionGrace"] = "00:00:02",
    };

    /// <summary>Users add a few momentum strategies (rebalancing daily) over random symbols: orders for the next life.</summary>
    private async Task AddStrategiesAsync(List<Guid> portfolios, Random random)
    {
        await using var db = database.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < StrategiesPerLife; i++)
        {
            var symbols = Universe.OrderBy(_ => random.Next()).Take(8).ToArray();
            var strategy = new StrategyDefinition(
                Guid.CreateVersion7(), portfolios[random.Next(portfolios.Count)], $"Momentum {Guid.NewGuid():N}"[..30], MomentumRotationStrategy.Name,
                JsonDocument.Parse("""{"lookbackDays":10,"topN":4,"rebalance":"Daily"}"""), symbols, new RiskLimits(0.04m, 1_000_000m, 0m, 40), now);
            strategy.SetEnabled(true, now);
            db.Strategies.Add(strategy);
        }

        await db.SaveChangesAsync(Ct);
    }

    private async Task<bool> StartedRunOfAsync(DateTimeOffset since) =>
        await ScalarAsync<long>(
            "SELECT count(*) FROM job_executions e JOIN scheduled_jobs j ON j.id = e.job_id WHERE e.status = 'started' AND e.started_at >= @since AND j.name = ANY(@jobs)",
            since, TradingJobs) > 0;

    private async Task<List<Guid>> StartedExecutionsAsync()
    {
        await using var command = database.DataSource.CreateCommand("SELECT id FROM job_executions WHERE status = 'started'");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(Ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>
    /// Until the kills' leftovers are gone: no execution of an earlier life still started, no open order, and then an
    /// order_status_check and a position_sync that both started after the books went quiet and completed.
    /// </summary>
    private async Task SettleAsync(SchedulerProcess final)
    {
        await WaitForAsync(
            async () =>
            {
                if (await ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE status = 'started' AND started_at < @since", final.StartedAt) > 0
                    || await ScalarAsync<long>($"SELECT count(*) FROM orders WHERE status NOT IN {Terminal}") > 0)
                {
                    return false;
                }

                var quietSince = await ScalarAsync<DateTime>("SELECT coalesce(max(updated_at), now()) FROM orders");
                return await ScalarAsync<long>(
                    """
                    SELECT count(DISTINCT j.name) FROM job_executions e JOIN scheduled_jobs j ON j.id = e.job_id
                    WHERE e.status = 'completed' AND e.started_at > @since AND j.name IN ('order_status_check', 'position_sync')
                    """,
                    new DateTimeOffset(quietSince, TimeSpan.Zero).AddSeconds(1)) == 2;
            },
            TimeSpan.FromMinutes(3),
            final,
            "the books to settle");
    }

    private async Task AssertNothingLostOrDuplicatedAsync(List<Guid> portfolios)
    {
        // No order sent twice: one broker order per client_order_id, and it is the very order the books hold.
        Assert.Empty(await RowsAsync("SELECT account_id, client_order_id, count(*) FROM sim_orders GROUP BY 1, 2 HAVING count(*) > 1"));
        Assert.Empty(await RowsAsync(
            """
            SELECT o.client_order_id, s.client_order_id, o.status, s.status
            FROM orders o FULL JOIN sim_orders s ON s.account_id = o.portfolio_id AND s.client_order_id = o.client_order_id
            WHERE o.id IS NULL OR (s.id IS NULL AND o.status <> 'rejected') OR o.broker_order_id IS DISTINCT FROM s.id
               OR o.status <> s.status OR o.filled_quantity <> s.filled_quantity
            """));

        // A run recovered after a kill redid its firing under that firing's scheduled time (every 3 s), so its orders
        // carry the client_order_ids of the run it redid, not ids of a moment that was never a firing.
        Assert.Empty(await RowsAsync(
            """
            SELECT client_order_id FROM orders
            WHERE client_order_id LIKE 'se-%' AND substring(client_order_id FROM '(\d\d)Z$')::int % 3 <> 0
            """));

        // No fill lost or booked twice: each order's fills add up to what the broker filled ...
        Assert.Empty(await RowsAsync(
            """
            SELECT o.client_order_id, o.filled_quantity, coalesce(sum(f.quantity), 0)
            FROM orders o LEFT JOIN fills f ON f.order_id = o.id
            GROUP BY o.id HAVING o.filled_quantity <> coalesce(sum(f.quantity), 0)
            """));

        // ... the fills ledger adds up to each portfolio's cash and positions ...
        Assert.Empty(await RowsAsync(
            """
            SELECT p.id, p.cash, p.starting_cash + coalesce(sum(CASE f.side WHEN 'sell' THEN f.quantity * f.price ELSE -f.quantity * f.price END - f.commission), 0)
            FROM portfolios p LEFT JOIN fills f ON f.portfolio_id = p.id
            GROUP BY p.id HAVING p.cash <> p.starting_cash + coalesce(sum(CASE f.side WHEN 'sell' THEN f.quantity * f.price ELSE -f.quantity * f.price END - f.commission), 0)
            """));
        Assert.Empty(await RowsAsync(
            """
            WITH ledger AS (
                SELECT portfolio_id, symbol, sum(CASE side WHEN 'sell' THEN -quantity ELSE quantity END) AS quantity
                FROM fills GROUP BY 1, 2)
            SELECT coalesce(l.portfolio_id, p.portfolio_id), coalesce(l.symbol, p.symbol), l.quantity, p.quantity
            FROM ledger l FULL JOIN positions p ON p.portfolio_id = l.portfolio_id AND p.symbol = l.symbol
            WHERE coalesce(l.quantity, 0) <> coalesce(p.quantity, 0)
            """));

        // ... and the books equal the broker's: cash and every position, with nothing position_sync had to correct.
        Assert.Empty(await RowsAsync(
            """
            SELECT p.id, p.cash, a.cash FROM portfolios p LEFT JOIN sim_accounts a ON a.portfolio_id = p.id
            WHERE p.id = ANY(@ids) AND p.cash IS DISTINCT FROM coalesce(a.cash, p.starting_cash)
            """,
            portfolios.ToArray()));
        Assert.Empty(await RowsAsync(
            """
            SELECT coalesce(p.portfolio_id, s.account_id), coalesce(p.symbol, s.symbol), p.quantity, s.quantity
            FROM positions p FULL JOIN sim_positions s ON s.account_id = p.portfolio_id AND s.symbol = p.symbol
            WHERE coalesce(p.quantity, 0) <> coalesce(s.quantity, 0)
            """));
        Assert.Empty(await RowsAsync("SELECT portfolio_id, symbol, kind, local_quantity, broker_quantity FROM position_discrepancies"));
        Assert.Equal(0, await ScalarAsync<long>(
            """
            SELECT coalesce(sum((e.metadata ->> 'cash_corrected')::bigint), 0)::bigint FROM job_executions e
            JOIN scheduled_jobs j ON j.id = e.job_id WHERE j.name = 'position_sync' AND e.metadata ? 'cash_corrected'
            """));
        Assert.Equal(0, await ScalarAsync<long>($"SELECT count(*) FROM orders WHERE status NOT IN {Terminal}"));
    }

    private async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, SchedulerProcess scheduler, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (scheduler.HasExited)
            {
                Assert.Fail($"The Scheduler exited while waiting for {what}:\n{scheduler.Output()}");
            }

            if (deadline.Elapsed > timeout)
            {
                var jobs = await RowsAsync("SELECT name, status, consecutive_failures, last_error_message FROM scheduled_jobs ORDER BY name");
                Assert.Fail($"Waited {timeout} for {what}. Jobs:\n{string.Join('\n', jobs)}\nThe Scheduler's last output:\n{scheduler.Output()}");
            }

            await Task.Delay(2, Ct);
        }
    }

    private async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>Every row as text, for an assertion that shows what is wrong.</summary>
    private async Task<List<string>> RowsAsync(string sql, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>A command whose <c>@name</c> parameters are given in order of first appearance.</summary>
    private NpgsqlCommand Command(string sql, object[] parameters)
    {
        var command = database.DataSource.CreateCommand(sql);
        var names = System.Text.RegularExpressions.Regex.Matches(sql, "@([a-z]+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        for (var i = 0; i < names.Count; i++)
        {
            command.Parameters.AddWithValue(names[i], parameters[i]);
        }

        return command;
    }

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
