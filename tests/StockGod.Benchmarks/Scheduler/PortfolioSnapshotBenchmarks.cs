extern alias SchedulerService;

using BenchmarkDotNet.Attributes;
using SchedulerService::StockGod.Scheduler.Jobs.Snapshots;
using SchedulerService::StockGod.Scheduler.Monitoring;

namespace StockGod.Benchmarks.Scheduler;

/// <summary>portfolio_snapshot over 100,000 portfolios with two positions each; every invocation snapshots a new date.</summary>
[Config(typeof(ShortInProcessConfig))]
public class PortfolioSnapshotBenchmarks
{
    private const int Portfolios = 100_000;

    private SchedulerBenchmarkDatabase _database = null!;
    private DateOnly _date = new(2024, 1, 2);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await SchedulerBenchmarkDatabase.CreateAsync("bench_snapshots");
        await _database.SeedPortfoliosAsync(users: 1_000, portfoliosPerUser: Portfolios / 1_000);
        await _database.SeedPositionsAsync(perPortfolio: 2);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [IterationSetup]
    public void NextTradingDate() => _date = _date.AddDays(1);

    [Benchmark]
    public async Task SnapshotOneHundredThousandPortfolios()
    {
        await using var db = _database.CreateDbContext();
        var counters = new JobCounters();
        await new PortfolioSnapshotService(db, TimeProvider.System).TakeSnapshotsAsync(_date, counters, CancellationToken.None);
        if (counters["snapshots_created"] != Portfolios)
        {
            throw new InvalidOperationException($"Unexpected run: {string.Join(", ", counters.Snapshot())}");
        }
    }
}
