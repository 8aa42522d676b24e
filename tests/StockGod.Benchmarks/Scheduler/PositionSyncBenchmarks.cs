extern alias SchedulerService;

using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SchedulerService::StockGod.Scheduler.Jobs.Positions;
using SchedulerService::StockGod.Scheduler.Monitoring;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Calendar;

namespace StockGod.Benchmarks.Scheduler;

/// <summary>
/// position_sync over 10,000 positions (1,000 simulated portfolios × 10) whose broker accounts (sim_accounts,
/// sim_positions) hold exactly the same: every run asks the simulated exchange twice per portfolio and finds nothing
/// to fix, which is the steady state the job runs in.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class PositionSyncBenchmarks
{
    private const int Portfolios = 1_000;
    private const int PositionsPerPortfolio = 10;

    private SchedulerBenchmarkDatabase _database = null!;
    private SimulatedExchangeFactory _exchange = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await SchedulerBenchmarkDatabase.CreateAsync("bench_position_sync");
        await _database.SeedPortfoliosAsync(users: Portfolios / 10, portfoliosPerUser: 10);
        await _database.SeedPositionsAsync(PositionsPerPortfolio);
        await _database.ExecuteAsync(
            """
            INSERT INTO sim_accounts (portfolio_id, cash, created_at, updated_at) SELECT id, cash, now(), now() FROM portfolios;
            INSERT INTO sim_positions (account_id, symbol, quantity, cost_basis) SELECT portfolio_id, symbol, quantity, cost_basis FROM positions;
            """);
        _exchange = new SimulatedExchangeFactory(
            _database.DataSource, new FlatQuotes(), NyseCalendar.Instance, TimeProvider.System,
            Options.Create(new SimulatedExchangeOptions { AlwaysOpen = true }), NullLogger<SimulatedExchange>.Instance);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark]
    public async Task SyncTenThousandPositions()
    {
        await using var db = _database.CreateDbContext();
        var counters = new JobCounters();
        await new PositionSyncService(db, _database.Contexts, _exchange, TimeProvider.System, NullLogger<PositionSyncService>.Instance)
            .SyncPositionsAsync(counters, CancellationToken.None);
        if (counters["positions_checked"] != Portfolios * PositionsPerPortfolio || counters["discrepancies_fixed"] != 0)
        {
            throw new InvalidOperationException($"Unexpected run: {string.Join(", ", counters.Snapshot())}");
        }
    }
}
