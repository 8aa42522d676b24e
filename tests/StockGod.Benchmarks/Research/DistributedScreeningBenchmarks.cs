using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StockGod.Testing;
using StockGod.Testing.Screening;
using StockGod.Trading.Market;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Benchmarks.Research;

/// <summary>
/// A whole distributed screening run on real PostgreSQL: the 503 constituents stored as chunks of 50, two workers
/// claiming them (FOR UPDATE SKIP LOCKED), each fetching its chunk's daily bars from the market-data seam (in memory,
/// the real file), computing the factors, storing the result, and the last one aggregating and storing the report and
/// the notifications. Measured from starting the run to the stored report.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class DistributedScreeningBenchmarks
{
    private ScreeningTestHost _host = null!;
    private ScreeningSettings _settings = null!;

    [GlobalSetup]
    public async Task StartAsync()
    {
        var bars = DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile)).BarsBySymbol;
        _host = await ScreeningTestHost.StartAsync(new HistoricalMarketData(bars), TimeProvider.System);
        _settings = _host.Services.GetRequiredService<IOptions<ScreeningOptions>>().Value.SettingsFor(new DateOnly(2018, 2, 7));
        await _host.SeedUsersAsync(10);
    }

    [GlobalCleanup]
    public async Task StopAsync() => await _host.DisposeAsync();

    [Benchmark(Description = "Distributed screen: 503 symbols, chunks of 50, 2 workers, PostgreSQL")]
    public async Task<int> ScreenInChunksWithTwoWorkers()
    {
        var run = await _host.StartRunAsync(_settings, chunkSize: 50);
        await _host.DrainAsync(workers: 2);
        var stored = await _host.LoadRunAsync(run.Id);
        return stored.Report?.Ranking.Count ?? throw new InvalidOperationException($"Run {run.Id} ended {stored.Status}: {stored.FailureReason}");
    }
}
