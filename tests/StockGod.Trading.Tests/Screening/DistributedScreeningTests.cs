using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StockGod.Testing;
using StockGod.Testing.Screening;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;
using StockGod.Trading.Tests.Backtesting;

namespace StockGod.Trading.Tests.Screening;

/// <summary>
/// Screening runs worked as durable chunks in real PostgreSQL by concurrent workers, on the real S&amp;P 500 data.
/// Each test has a database of its own, so no other test's run is in its queue.
/// </summary>
public sealed class DistributedScreeningTests
{
    private static readonly DateOnly AsOf = new(2018, 2, 7);
    private static readonly DateTimeOffset Evening = new(2018, 2, 7, 22, 0, 0, TimeSpan.Zero);

    /// <summary>A few real symbols, screened in chunks of two: small runs whose every chunk the tests can steer.</summary>
    private static readonly Dictionary<string, string?> SixSymbolsInChunksOfTwo = new()
    {
        ["Screening:Symbols:0"] = "AAPL", ["Screening:Symbols:1"] = "MSFT", ["Screening:Symbols:2"] = "XOM",
        ["Screening:Symbols:3"] = "JPM", ["Screening:Symbols:4"] = "PFE", ["Screening:Symbols:5"] = "KO",
        ["Screening:ChunkSize"] = "2",
    };

    private static HistoricalMarketData RealMarket() => new(SharedData.DailyBars.BarsBySymbol);

    [Fact]
    public async Task Report_is_identical_for_chunk_sizes_7_50_500_and_for_one_or_three_workers_and_equals_the_in_process_screen()
    {
        await using var host = await ScreeningTestHost.StartAsync(RealMarket(), TimeProvider.System);
        var settings = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ScreeningOptions>>().Value.SettingsFor(AsOf);

        var reports = new List<(string Case, string Json)>();
        ScreeningRun? first = null;
        foreach (var (chunkSize, workers) in new[] { (7, 1), (50, 1), (500, 1), (7, 3), (50, 3) })
        {
            var started = await host.StartRunAsync(settings, chunkSize);
            var outcomes = await host.DrainAsync(workers);
            var run = await host.LoadRunAsync(started.Id);

            Assert.Equal(ScreeningRunStatus.Completed, run.Status);
            Assert.Equal((503 + chunkSize - 1) / chunkSize, run.ChunkCount);
            Assert.Equal(run.ChunkCount, outcomes.Count);
            Assert.Single(outcomes, o => o.CompletedRun is not null);
            reports.Add(($"chunks of {chunkSize}, {workers} worker(s)", JsonSerializer.Serialize(run.Report, ScreeningJson.Options)));
            first ??= run;
        }

        Assert.All(reports, r => Assert.True(r.Json == reports[0].Json, $"{r.Case} differs from {reports[0].Case}"));

        // The same as screening in one process over the bars the workers were given.
        var (start, end) = ScreeningChunkProcessor.HistoryWindow(AsOf, new ScreeningOptions().HistoryDays);
        var window = SharedData.DailyBars.BarsBySymbol.ToDictionary(
            p => p.Key, p => p.Value.Where(b => b.Timestamp >= start && b.Timestamp < end).ToImmutableArray(), StringComparer.Ordinal);
        var referenceData = host.Services.GetRequiredService<ScreeningReferenceData>();
        var inProcess = ScreeningEngine.Run(await referenceData.GetUniverseAsync(TestContext.Current.CancellationToken), window, referenceData.Fundamentals, first!.Settings, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(JsonSerializer.Serialize(inProcess, ScreeningJson.Options), reports[0].Json);
        Assert.Equal(25, first.Report!.Top.Count);
        Assert.Contains(first.Report.Excluded, e => e.Symbol == "APTV");
    }

    [Fact]
    public async Task Chunk_held_by_a_crashed_worker_is_reclaimed_after_its_lease_and_the_run_completes_once()
    {
        var time = new FakeTimeProvider(Evening);
        await using var host = await ScreeningTestHost.StartAsync(RealMarket(), time, SixSymbolsInChunksOfTwo);
        var users = await host.SeedUsersAsync(2);
        var run = await host.StartRunAsync(new ScreeningSettings { AsOf = AsOf });

        // A worker claims the first chunk and dies.
        ClaimedChunk crashed;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            crashed = (await scope.ServiceProvider.GetRequiredService<ScreeningWorkQueue>().ClaimAsync("crashed", CancellationToken.None))!;
        }

        Assert.Equal(0, crashed.Index);
        Assert.Equal(2, (await host.DrainAsync()).Count);
        Assert.Equal(ScreeningRunStatus.Running, (await host.LoadRunAsync(run.Id)).Status);

        // Still leased: nobody may take it yet. Once the lease has expired, the next worker does.
        time.Advance(new ScreeningOptions().LeaseDuration);
        Assert.Empty(await host.DrainAsync());
        time.Advance(TimeSpan.FromSeconds(1));
        var reclaimed = Assert.Single(await host.DrainAsync());
        Assert.Equal((0, 2), (reclaimed.Chunk.Index, reclaimed.Chunk.Attempt));
        Assert.NotNull(reclaimed.CompletedRun);

        // The crashed worker comes back with its stale claim: its result is dropped, nothing is aggregated again.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var queue = scope.ServiceProvider.GetRequiredService<ScreeningWorkQueue>();
            Assert.Null(await queue.CompleteAsync(crashed, "crashed", new ScreeningChunkResult([], []), CancellationToken.None));
        }

        var completed = await host.LoadRunAsync(run.Id);
        Assert.Equal(ScreeningRunStatus.Completed, completed.Status);
        Assert.Equal(6, completed.Report!.Ranking.Count);
        await AssertNotifiedOnceAsync(host, users);
    }

    [Fact]
    public async Task Failing_chunk_is_retried_after_a_back_off_and_a_chunk_failing_every_attempt_fails_the_run_with_the_reason()
    {
        var time = new FakeTimeProvider(Evening);
        var market = RealMarket();
        await using var host = await ScreeningTestHost.StartAsync(market, time, SixSymbolsInChunksOfTwo);

        // XOM's chunk fails once (MarketData unavailable), then works.
        var failures = 0;
        market.FailWhen = symbols => symbols.Contains("XOM") && Interlocked.Increment(ref failures) == 1 ? new IOException("MarketData unavailable") : null;
        var run = await host.StartRunAsync(new ScreeningSettings { AsOf = AsOf });
        var outcomes = await host.DrainAsync();
        Assert.Equal("IOException: MarketData unavailable", Assert.Single(outcomes, o => o.Error is not null).Error);
        Assert.Equal(ScreeningRunStatus.Running, (await host.LoadRunAsync(run.Id)).Status);

        time.Advance(new ScreeningOptions().RetryDelay);
        var retried = Assert.Single(await host.DrainAsync());
        Assert.Equal((1, 2), (retried.Chunk.Index, retried.Chunk.Attempt));
        Assert.Equal(ScreeningRunStatus.Completed, (await host.LoadRunAsync(run.Id)).Status);

        // A chunk that fails every time fails its run after the third attempt, saying which chunk and why.
        market.FailWhen = symbols => symbols.Contains("JPM") ? new InvalidDataException("bad bars for JPM") : null;
        var doomed = await host.StartRunAsync(new ScreeningSettings { AsOf = AsOf });
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await host.DrainAsync();
            time.Advance(new ScreeningOptions().RetryDelay * attempt);
        }

        var failed = await host.LoadRunAsync(doomed.Id);
        Assert.Equal(ScreeningRunStatus.Failed, failed.Status);
        Assert.Equal("Chunk 1 (XOM…JPM) failed after 3 attempts: InvalidDataException: bad bars for JPM", failed.FailureReason);
        Assert.Null(failed.Report);
        Assert.Empty(await host.DrainAsync());
    }

    [Fact]
    public async Task Lease_expiring_on_the_last_allowed_attempt_fails_the_run()
    {
        var time = new FakeTimeProvider(Evening);
        await using var host = await ScreeningTestHost.StartAsync(RealMarket(), time, SixSymbolsInChunksOfTwo);
        var run = await host.StartRunAsync(new ScreeningSettings { AsOf = AsOf });
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            Assert.Equal(0, (await scope.ServiceProvider.GetRequiredService<ScreeningWorkQueue>().ClaimAsync($"dies-{attempt}", CancellationToken.None))!.Index);
            time.Advance(new ScreeningOptions().LeaseDuration + TimeSpan.FromSeconds(1));
        }

        // The next claim finds chunk 0 expired on its third attempt: the run fails instead of retrying forever.
        await host.DrainAsync();
        var failed = await host.LoadRunAsync(run.Id);
        Assert.Equal(ScreeningRunStatus.Failed, failed.Status);
        Assert.StartsWith("Chunk 0 (AAPL…MSFT) failed after 3 attempts: lease of dies-2 expired", failed.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_workers_finishing_the_last_two_chunks_at_the_same_time_aggregate_exactly_once()
    {
        await using var host = await ScreeningTestHost.StartAsync(RealMarket(), TimeProvider.System, new Dictionary<string, string?>(SixSymbolsInChunksOfTwo) { ["Screening:ChunkSize"] = "3" });
        var users = await host.SeedUsersAsync(3);
        var bars = SharedData.DailyBars.BarsBySymbol;
        for (var round = 0; round < 10; round++)
        {
            var run = await host.StartRunAsync(new ScreeningSettings { AsOf = AsOf });
            var claims = new List<(string Worker, ClaimedChunk Chunk)>();
            foreach (var worker in new[] { "left", "right" })
            {
                await using var scope = host.Services.CreateAsyncScope();
                claims.Add((worker, (await scope.ServiceProvider.GetRequiredService<ScreeningWorkQueue>().ClaimAsync(worker, CancellationToken.None))!));
            }

            var results = claims.Select(c => ScreeningChunk.Compute(c.Chunk.Members, bars, null, c.Chunk.Settings, TestContext.Current.CancellationToken)).ToList();
            using var start = new Barrier(2);
            var completions = await Task.WhenAll(claims.Select((c, i) => Task.Run(async () =>
            {
                await using var scope = host.Services.CreateAsyncScope();
                var queue = scope.ServiceProvider.GetRequiredService<ScreeningWorkQueue>();
                start.SignalAndWait(TestContext.Current.CancellationToken);
                return await queue.CompleteAsync(c.Chunk, c.Worker, results[i], CancellationToken.None);
            })));

            Assert.Single(completions, c => c is not null);
            Assert.Equal(ScreeningRunStatus.Completed, (await host.LoadRunAsync(run.Id)).Status);
        }

        await using var db = host.CreateDbContext();
        var perUser = await db.Notifications.Where(n => n.Kind == ScreeningWorkQueue.ReadyNotificationKind)
            .GroupBy(n => n.UserId).Select(g => g.Count()).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([10, 10, 10], perUser);
        Assert.Equal(3, users.Count);
    }

    private static async Task AssertNotifiedOnceAsync(ScreeningTestHost host, IReadOnlyList<Guid> users)
    {
        await using var db = host.CreateDbContext();
        var notified = await db.Notifications.Where(n => n.Kind == ScreeningWorkQueue.ReadyNotificationKind)
            .Select(n => n.UserId).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(users.Order(), notified.Order());
        var notification = await db.Notifications.FirstAsync(n => n.Kind == ScreeningWorkQueue.ReadyNotificationKind, TestContext.Current.CancellationToken);
        Assert.Equal("Top picks ready for 2018-02-07", notification.Title);
    }
}
