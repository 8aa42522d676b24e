using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Jobs.Retention;
using StockGod.Scheduler.Monitoring;
using StockGod.Testing;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Market;
using StockGod.Trading.Risk;
using StockGod.Trading.Screening;

namespace StockGod.Scheduler.Tests;

/// <summary>
/// job_execution_retention over screening runs and backtests on real PostgreSQL: each test has a database of its own,
/// since retention deletes across all users.
/// </summary>
public sealed class RetentionTests
{
    private const string Worker = "retention-test";

    private static readonly Dictionary<string, ImmutableArray<Bar>> SyntheticBars = new()
    {
        ["X"] =
        [
            .. NyseCalendar.Instance.TradingDays(new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 31))
                .Select((session, d) => new Bar(NewYorkTime.StartOfDay(session.Date), 100m + (d % 5), 102m + (d % 5), 99m + (d % 5), 100m + (d % 5), 1_000)),
        ],
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 7, 30, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Finished_screening_runs_past_the_default_period_are_deleted_but_each_requesters_latest_completed_one_is_kept()
    {
        await using var database = await NewDatabaseAsync();
        var user = Guid.CreateVersion7().ToString();
        var oldCompleted = await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Completed, finishedDaysAgo: 200, chunks: 2);
        var latestCompleted = await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Completed, finishedDaysAgo: 100);
        var oldFailed = await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Failed, finishedDaysAgo: 91);
        var recentFailed = await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Failed, finishedDaysAgo: 89);
        var running = await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Running, finishedDaysAgo: 300);
        var usersOnly = await AddScreeningAsync(database, user, ScreeningRunStatus.Completed, finishedDaysAgo: 400);

        var counters = await RunRetentionAsync(database, new SchedulerOptions());

        await using var db = database.CreateDbContext();
        var left = await db.Set<ScreeningRun>().Select(r => r.Id).ToListAsync(Ct);
        Assert.Equal(new[] { latestCompleted, recentFailed, running, usersOnly }.Order(), left.Order());
        Assert.Equal(2, counters["screening_runs_deleted"]);
        Assert.DoesNotContain(oldFailed, left);
        // The deleted run's chunks went with it.
        Assert.False(await db.Set<ScreeningWorkItem>().AnyAsync(i => i.RunId == oldCompleted, Ct));
    }

    [Fact]
    public async Task Finished_backtests_past_the_default_period_are_deleted_with_their_results_but_each_users_latest_completed_one_is_kept()
    {
        await using var database = await NewDatabaseAsync();
        var (trader, other) = (await AddUserAsync(database), await AddUserAsync(database));
        var oldCompleted = await AddBacktestAsync(database, trader, BacktestRunStatus.Completed, finishedDaysAgo: 200);
        var latestCompleted = await AddBacktestAsync(database, trader, BacktestRunStatus.Completed, finishedDaysAgo: 100);
        var oldCanceled = await AddBacktestAsync(database, trader, BacktestRunStatus.Canceled, finishedDaysAgo: 150);
        var recentFailed = await AddBacktestAsync(database, trader, BacktestRunStatus.Failed, finishedDaysAgo: 5);
        var queued = await AddBacktestAsync(database, trader, BacktestRunStatus.Queued, finishedDaysAgo: 300);
        var othersOnly = await AddBacktestAsync(database, other, BacktestRunStatus.Completed, finishedDaysAgo: 400);

        var counters = await RunRetentionAsync(database, new SchedulerOptions());

        await using var db = database.CreateDbContext();
        var left = await db.BacktestRuns.Select(r => r.Id).ToListAsync(Ct);
        Assert.Equal(new[] { latestCompleted, recentFailed, queued, othersOnly }.Order(), left.Order());
        Assert.Equal(2, counters["backtests_deleted"]);
        Assert.DoesNotContain(oldCanceled, left);
        Assert.Equal(new[] { latestCompleted, othersOnly }.Order(), (await db.BacktestRunResults.Select(r => r.RunId).ToListAsync(Ct)).Order());
        Assert.DoesNotContain(oldCompleted, left);
    }

    [Fact]
    public async Task Retention_periods_come_from_the_options()
    {
        await using var database = await NewDatabaseAsync();
        var trader = await AddUserAsync(database);
        await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Failed, finishedDaysAgo: 8);
        var screeningKept = await AddScreeningAsync(database, ScreeningRun.ScheduleRequester, ScreeningRunStatus.Failed, finishedDaysAgo: 6);
        await AddBacktestAsync(database, trader, BacktestRunStatus.Failed, finishedDaysAgo: 15);
        var backtestKept = await AddBacktestAsync(database, trader, BacktestRunStatus.Failed, finishedDaysAgo: 13);

        var counters = await RunRetentionAsync(database, new SchedulerOptions { ScreeningRunRetentionDays = 7, BacktestRetentionDays = 14 });

        await using var db = database.CreateDbContext();
        Assert.Equal([screeningKept], await db.Set<ScreeningRun>().Select(r => r.Id).ToListAsync(Ct));
        Assert.Equal([backtestKept], await db.BacktestRuns.Select(r => r.Id).ToListAsync(Ct));
        Assert.Equal(1, counters["screening_runs_deleted"]);
        Assert.Equal(1, counters["backtests_deleted"]);
    }

    private static async Task<TradingDatabaseFixture> NewDatabaseAsync()
    {
        var database = new TradingDatabaseFixture();
        await database.InitializeAsync();
        return database;
    }

    private async Task<JobCounters> RunRetentionAsync(TradingDatabaseFixture database, SchedulerOptions options)
    {
        await using var db = database.CreateDbContext();
        var counters = new JobCounters();
        await new RetentionService(db, _time, Options.Create(options)).DeleteExpiredAsync(counters, Ct);
        return counters;
    }

    private DateTimeOffset DaysAgo(int days) => _time.GetUtcNow().AddDays(-days);

    /// <summary>
    /// A screening run of <paramref name="requester"/> with its chunks, finished <paramref name="finishedDaysAgo"/> days
    /// ago (created then, for a running one). Only the queue may finish a run, so the finish is written as the queue
    /// writes it.
    /// </summary>
    private async Task<Guid> AddScreeningAsync(TradingDatabaseFixture database, string requester, ScreeningRunStatus status, int finishedDaysAgo, int chunks = 1)
    {
        await using var db = database.CreateDbContext();
        var at = DaysAgo(finishedDaysAgo);
        var run = new ScreeningRun(Guid.CreateVersion7(), new ScreeningSettings { AsOf = DateOnly.FromDateTime(at.UtcDateTime) }, 1, chunks, requester, at.AddHours(-1));
        db.Add(run);
        db.AddRange(Enumerable.Range(0, chunks).Select(i => new ScreeningWorkItem(Guid.CreateVersion7(), run.Id, i, [new UniverseMember("AAPL", "Information Technology")], at.AddHours(-1))));
        await db.SaveChangesAsync(Ct);
        if (status != ScreeningRunStatus.Running)
        {
            await (status == ScreeningRunStatus.Completed
                ? db.Database.ExecuteSqlAsync($"UPDATE screening_runs SET status = 'completed', finished_at = {at}, report = '{{}}'::jsonb WHERE id = {run.Id}", Ct)
                : db.Database.ExecuteSqlAsync($"UPDATE screening_runs SET status = 'failed', finished_at = {at}, failure_reason = 'boom' WHERE id = {run.Id}", Ct));
        }

        return run.Id;
    }

    private static async Task<Guid> AddUserAsync(TradingDatabaseFixture database)
    {
        await using var db = database.CreateDbContext();
        var user = new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Trader", DateTimeOffset.UtcNow);
        db.Users.Add(user);
        await db.SaveChangesAsync(Ct);
        return user.Id;
    }

    /// <summary>A backtest of <paramref name="owner"/> taken through its life to <paramref name="status"/>, finished <paramref name="finishedDaysAgo"/> days ago; a completed one stores a real result.</summary>
    private async Task<Guid> AddBacktestAsync(TradingDatabaseFixture database, Guid owner, BacktestRunStatus status, int finishedDaysAgo)
    {
        await using var db = database.CreateDbContext();
        var at = DaysAgo(finishedDaysAgo);
        var run = new BacktestRun(
            Guid.CreateVersion7(), owner, "sma_crossover", JsonDocument.Parse("""{"fastPeriod":2,"slowPeriod":3}"""), ["X"],
            new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 31), 10_000m, 0m, PerShareCommission.Free, new RiskLimits(0.5m, 10_000m, 0m, 10), 0m, at.AddHours(-1));
        db.BacktestRuns.Add(run);
        switch (status)
        {
            case BacktestRunStatus.Completed:
                run.Claim(Worker, at.AddMinutes(-1), TimeSpan.FromMinutes(5));
                db.BacktestRunResults.Add(new BacktestRunResult(run.Id, new BacktestEngine().Run(run.ToSettings(), SyntheticBars, null, Ct), at));
                run.Complete(Worker, at);
                break;
            case BacktestRunStatus.Failed:
                run.Claim(Worker, at.AddMinutes(-1), TimeSpan.FromMinutes(5));
                run.Fail(Worker, "boom", at);
                break;
            case BacktestRunStatus.Canceled:
                run.RequestCancel(at);
                break;
        }

        await db.SaveChangesAsync(Ct);
        return run.Id;
    }
}
