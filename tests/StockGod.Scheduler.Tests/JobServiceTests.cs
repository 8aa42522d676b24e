using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Jobs.Alerts;
using StockGod.Scheduler.Jobs.Prices;
using StockGod.Scheduler.Jobs.Retention;
using StockGod.Scheduler.Jobs.Snapshots;
using StockGod.Scheduler.Monitoring;
using StockGod.Scheduler.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Events;
using StockGod.Trading.Market;

namespace StockGod.Scheduler.Tests;

/// <summary>The jobs' services on their own (no Quartz), against a real database and quotes given at the market-data seam.</summary>
public sealed class JobServiceTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>, IAsyncLifetime
{
    private TradingEventSubscriber _events = null!;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 3, 6, 20, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Price_update_marks_every_held_symbol_from_one_batch_and_leaves_unanswered_symbols_alone()
    {
        var (aapl, msft) = (Unique("AAPL"), Unique("MSFT"));
        var portfolioId = await CreatePortfolioAsync((aapl, 10m, 100m), (msft, 5m, 200m));
        var quotes = new QuoteBoard { [aapl] = 110m };
        var counters = new JobCounters();

        await using (var db = database.CreateDbContext())
        {
            await new PriceUpdateService(db, quotes, _events.Publisher, _time).UpdatePricesAsync(counters, CancellationToken.None);
        }

        await using var check = database.CreateDbContext();
        var positions = await check.Positions.Where(p => p.PortfolioId == portfolioId).ToDictionaryAsync(p => p.Symbol, TestContext.Current.CancellationToken);
        Assert.Equal(1100m, positions[aapl].MarketValue);
        Assert.Equal(100m, positions[aapl].UnrealizedProfitLoss);
        Assert.Null(positions[msft].LastPrice);
        Assert.Equal(1, quotes.Calls);
        Assert.Contains(aapl, quotes.Requested);
        Assert.Contains(msft, quotes.Requested);
        // The class shares one database: other tests' holdings may be unanswered too.
        Assert.True(counters["symbols_missing"] >= 1);

        // The holder hears of the new price through Redis; an unanswered symbol publishes nothing.
        var owner = await check.Portfolios.Where(p => p.Id == portfolioId).Select(p => p.OwnerUserId).SingleAsync(TestContext.Current.CancellationToken);
        var price = Assert.Single(await _events.WaitForAsync(e => e.UserId == owner, count: 1));
        Assert.Equal(PriceUpdated.Kind, price.Kind);
        Assert.Equal((aapl, 110m), (price.Payload.GetProperty("symbol").GetString(), price.Payload.GetProperty("last_price").GetDecimal()));
    }

    [Fact]
    public async Task Snapshot_is_taken_once_per_portfolio_and_date_with_total_equal_to_cash_plus_positions()
    {
        var symbol = Unique("SPY");
        var portfolioId = await CreatePortfolioAsync((symbol, 4m, 500m));
        await using (var db = database.CreateDbContext())
        {
            await new PriceUpdateService(db, new QuoteBoard { [symbol] = 510m }, _events.Publisher, _time).UpdatePricesAsync(new JobCounters(), CancellationToken.None);
        }

        var date = new DateOnly(2024, 3, 6);
        var first = new JobCounters();
        var second = new JobCounters();
        await using (var db = database.CreateDbContext())
        {
            await new PortfolioSnapshotService(db, _time).TakeSnapshotsAsync(date, first, CancellationToken.None);
        }

        await using (var db = database.CreateDbContext())
        {
            await new PortfolioSnapshotService(db, _time).TakeSnapshotsAsync(date, second, CancellationToken.None);
        }

        Assert.True(first["snapshots_created"] >= 1);
        Assert.Equal(0, second["snapshots_created"]);
        await using var check = database.CreateDbContext();
        var snapshot = await check.PortfolioSnapshots.SingleAsync(s => s.PortfolioId == portfolioId, TestContext.Current.CancellationToken);
        Assert.Equal(date, snapshot.TradingDate);
        Assert.Equal(2040m, snapshot.PositionsValue);
        Assert.Equal(100_000m - 2000m + 2040m, snapshot.TotalValue);
        Assert.Equal(snapshot.Cash + snapshot.PositionsValue, snapshot.TotalValue);
    }

    [Fact]
    public async Task Snapshots_taken_in_chunks_value_every_portfolio_from_its_own_positions_once()
    {
        // Holdings of 0 to 3 positions over five portfolios; with two portfolios per statement the chunk boundaries
        // fall between them, and a portfolio's positions must be summed into its own snapshot only.
        var holdings = new (string Symbol, decimal Quantity, decimal Price)[][]
        {
            [(Unique("AA"), 1m, 10m)],
            [],
            [(Unique("BB"), 2m, 20m), (Unique("CC"), 3m, 30m)],
            [(Unique("DD"), 4m, 40m), (Unique("EE"), 5m, 50m), (Unique("FF"), 6m, 60m)],
            [(Unique("GG"), 7m, 70m)],
        };
        var portfolios = new List<(Guid Id, int Count, decimal Value)>();
        foreach (var held in holdings)
        {
            portfolios.Add((await CreatePortfolioAsync(held), held.Length, held.Sum(h => h.Quantity * h.Price)));
        }

        var date = new DateOnly(2024, 3, 7);
        var first = new JobCounters();
        var second = new JobCounters();
        await using (var db = database.CreateDbContext())
        {
            await new PortfolioSnapshotService(db, _time, chunkSize: 2).TakeSnapshotsAsync(date, first, CancellationToken.None);
            await new PortfolioSnapshotService(db, _time, chunkSize: 2).TakeSnapshotsAsync(date, second, CancellationToken.None);
        }

        await using var check = database.CreateDbContext();
        Assert.Equal(await check.Portfolios.CountAsync(TestContext.Current.CancellationToken), first["snapshots_created"]);
        Assert.Equal(0, second["snapshots_created"]);
        var ids = portfolios.Select(p => p.Id).ToList();
        var snapshots = await check.PortfolioSnapshots.Where(s => ids.Contains(s.PortfolioId) && s.TradingDate == date)
            .ToDictionaryAsync(s => s.PortfolioId, TestContext.Current.CancellationToken);
        Assert.All(portfolios, p =>
        {
            var snapshot = snapshots[p.Id];
            Assert.Equal((p.Count, p.Value, 100_000m - p.Value, 100_000m), (snapshot.PositionCount, snapshot.PositionsValue, snapshot.Cash, snapshot.TotalValue));
        });
    }

    [Fact]
    public async Task A_triggered_alert_records_price_and_time_notifies_once_and_becomes_inactive()
    {
        var symbol = Unique("NVDA");
        var userId = await CreateUserAsync();
        var (above, below, moved) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var db = database.CreateDbContext())
        {
            db.PriceAlerts.AddRange(
                new PriceAlert(above, userId, symbol, PriceAlertCondition.Above, 105m, null, _time.GetUtcNow()),
                new PriceAlert(below, userId, symbol, PriceAlertCondition.Below, 90m, null, _time.GetUtcNow()),
                new PriceAlert(moved, userId, symbol, PriceAlertCondition.PercentChange, 5m, 100m, _time.GetUtcNow()));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var quotes = new QuoteBoard { [symbol] = 110m };
        await using (var db = database.CreateDbContext())
        {
            var triggered = await new AlertPriceCheckService(db, quotes, _events.Publisher, _time).CheckAlertsAsync(new JobCounters(), CancellationToken.None);
            Assert.Equal(new[] { above, moved }.Order(), triggered.Select(a => a.Id).Order());
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        await using (var db = database.CreateDbContext())
        {
            Assert.Empty(await new AlertPriceCheckService(db, quotes, _events.Publisher, _time).CheckAlertsAsync(new JobCounters(), CancellationToken.None));
        }

        await using var check = database.CreateDbContext();
        var fired = await check.PriceAlerts.SingleAsync(a => a.Id == above, TestContext.Current.CancellationToken);
        Assert.False(fired.Active);
        Assert.Equal(110m, fired.TriggeredPrice);
        Assert.Equal(_time.GetUtcNow().AddMinutes(-5), fired.TriggeredAt);
        Assert.True((await check.PriceAlerts.SingleAsync(a => a.Id == below, TestContext.Current.CancellationToken)).Active);
        Assert.Equal(2, await check.Notifications.CountAsync(n => n.UserId == userId, TestContext.Current.CancellationToken));

        // Each trigger is published once, to its user, through Redis.
        var published = await _events.WaitForAsync(e => e.UserId == userId, count: 2);
        Assert.All(published, e => Assert.Equal(AlertTriggered.Kind, e.Kind));
        Assert.Equal(new[] { above, moved }.Order(), published.Select(e => e.Payload.GetProperty("alert_id").GetGuid()).Order());
        Assert.All(published, e => Assert.Equal(110m, e.Payload.GetProperty("price").GetDecimal()));
    }

    [Fact]
    public async Task Retention_deletes_finished_executions_older_than_the_period_only()
    {
        await using var db = database.CreateDbContext();
        var job = new ScheduledJob(Guid.CreateVersion7(), $"retention_{Guid.NewGuid():N}", "test", null, _time.GetUtcNow());
        db.ScheduledJobs.Add(job);
        var old = job.Start(Guid.CreateVersion7(), _time.GetUtcNow().AddDays(-31));
        job.Complete(old, _time.GetUtcNow().AddDays(-31));
        var stuck = job.Start(Guid.CreateVersion7(), _time.GetUtcNow().AddDays(-40));
        var recent = job.Start(Guid.CreateVersion7(), _time.GetUtcNow().AddDays(-29));
        job.Fail(recent, _time.GetUtcNow().AddDays(-29), "boom");
        db.JobExecutions.AddRange(old, stuck, recent);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        var counters = new JobCounters();
        await new RetentionService(db, _time, Options.Create(new SchedulerOptions())).DeleteExpiredAsync(counters, CancellationToken.None);

        var left = await db.JobExecutions.Where(e => e.JobId == job.Id).Select(e => e.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new[] { stuck.Id, recent.Id }.Order(), left.Order());
        Assert.Equal(1, counters["executions_deleted"]);
    }

    public async ValueTask InitializeAsync() => _events = await TradingEventSubscriber.ConnectAsync();

    public ValueTask DisposeAsync() => _events.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix[..2]}{Random.Shared.Next(100_000, 999_999)}";

    private async Task<Guid> CreateUserAsync()
    {
        await using var db = database.CreateDbContext();
        var user = new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Trader", _time.GetUtcNow());
        db.Users.Add(user);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return user.Id;
    }

    private async Task<Guid> CreatePortfolioAsync(params (string Symbol, decimal Quantity, decimal Price)[] holdings)
    {
        var userId = await CreateUserAsync();
        await using var db = database.CreateDbContext();
        var portfolio = new Portfolio(Guid.CreateVersion7(), userId, "Main", TradingMode.Simulated, 100_000m, _time.GetUtcNow());
        foreach (var (symbol, quantity, price) in holdings)
        {
            portfolio.ApplyFill(Guid.CreateVersion7(), symbol, OrderSide.Buy, quantity, price, 0m, _time.GetUtcNow());
        }

        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return portfolio.Id;
    }

    /// <summary>Quotes at the market-data seam: answers the symbols it has, leaves the others out (as the seam says).</summary>
    private sealed class QuoteBoard : Dictionary<string, decimal>, IMarketDataSource
    {
        public int Calls { get; private set; }

        public List<string> Requested { get; } = [];

        public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default)
        {
            Calls++;
            Requested.AddRange(symbols);
            IReadOnlyDictionary<string, Quote> answer = symbols.Where(ContainsKey).ToDictionary(
                s => s,
                s => new Quote(s, this[s] - 0.01m, 100, this[s] + 0.01m, 100, this[s], DateTimeOffset.UnixEpoch, "test"));
            return Task.FromResult(answer);
        }

        public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
            IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The jobs under test read quotes only.");
    }
}
