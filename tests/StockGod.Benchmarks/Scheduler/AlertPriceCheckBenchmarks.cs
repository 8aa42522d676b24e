extern alias SchedulerService;

using BenchmarkDotNet.Attributes;
using SchedulerService::StockGod.Scheduler.Jobs.Alerts;
using SchedulerService::StockGod.Scheduler.Monitoring;

namespace StockGod.Benchmarks.Scheduler;

/// <summary>
/// alert_price_check over 100,000 active alerts (1,000 users × 100, over 500 symbols, all quoted at 100): a third above
/// 150, a third below 50, a third ±20 % from 100 — none of which fire — and 100 "above 90" alerts that do. The fired
/// ones are re-armed before each iteration, so every run checks 100,000 and triggers 100.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class AlertPriceCheckBenchmarks
{
    private const int Alerts = 100_000;
    private const int Firing = 100;

    private SchedulerBenchmarkDatabase _database = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await SchedulerBenchmarkDatabase.CreateAsync("bench_alerts");
        await _database.ExecuteAsync(
            $"""
            INSERT INTO users (id, email, display_name, created_at)
            SELECT gen_random_uuid(), 'bench-' || u || '@example.com', 'Bench ' || u, now() FROM generate_series(1, 1000) u;
            INSERT INTO price_alerts (id, user_id, symbol, condition, threshold, reference_price, active, created_at)
            SELECT gen_random_uuid(), a.user_id, {SchedulerBenchmarkDatabase.SymbolOf("(a.n * 100 + a.g)")},
                   CASE WHEN a.fires OR a.g % 3 = 0 THEN 'above' WHEN a.g % 3 = 1 THEN 'below' ELSE 'percent_change' END,
                   CASE WHEN a.fires THEN 90 WHEN a.g % 3 = 0 THEN 150 WHEN a.g % 3 = 1 THEN 50 ELSE 20 END,
                   CASE WHEN NOT a.fires AND a.g % 3 = 2 THEN 100 END,
                   true, now()
            FROM (SELECT u.id AS user_id, u.n, g, (u.n <= {Firing} AND g = 1) AS fires
                  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users) u CROSS JOIN generate_series(1, {Alerts / 1000}) g) a;
            """);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [IterationSetup]
    public void RearmFiredAlerts() => _database.ExecuteAsync(
        "UPDATE price_alerts SET active = true, triggered_at = NULL, triggered_price = NULL WHERE NOT active").GetAwaiter().GetResult();

    [Benchmark]
    public async Task CheckOneHundredThousandAlerts()
    {
        await using var db = _database.CreateDbContext();
        var counters = new JobCounters();
        await new AlertPriceCheckService(db, new FlatQuotes(), _database.Events, TimeProvider.System).CheckAlertsAsync(counters, CancellationToken.None);
        if (counters["alerts_checked"] != Alerts || counters["alerts_triggered"] != Firing)
        {
            throw new InvalidOperationException($"Unexpected run: {string.Join(", ", counters.Snapshot())}");
        }
    }
}
