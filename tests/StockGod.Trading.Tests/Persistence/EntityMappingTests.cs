using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StockGod.Testing;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Domain.Signals;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Domain.Watchlists;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Tests.Persistence;

/// <summary>The less obvious mappings (jsonb, text[], complex types, nullable enums) survive a round trip.</summary>
public sealed class EntityMappingTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Strategy_with_json_parameters_symbol_universe_and_risk_limits_and_its_signal_round_trip()
    {
        Guid strategyId;
        await using (var db = database.CreateDbContext())
        {
            var portfolio = await Seed.PortfolioAsync(db);
            using var parameters = JsonDocument.Parse("""{"fastPeriod":10,"slowPeriod":30}""");
            var strategy = new StrategyDefinition(Guid.CreateVersion7(), portfolio.Id, "Trend", "sma_crossover", parameters, ["msft", "AAPL", "aapl"], new RiskLimits(0.1m, 5000m, 0.02m, 10), Seed.At);
            strategy.SetEnabled(true, Seed.At);
            db.Strategies.Add(strategy);
            db.Signals.Add(new Signal(Guid.CreateVersion7(), strategy.Id, portfolio.Id, "AAPL", SignalAction.Buy, 0.75m, "fast SMA crossed above slow", 187.5m, Seed.At));
            await db.SaveChangesAsync(Ct);
            strategyId = strategy.Id;
        }

        await using (var db = database.CreateDbContext())
        {
            var strategy = await db.Strategies.SingleAsync(s => s.Id == strategyId, Ct);
            Assert.Equal(["AAPL", "MSFT"], strategy.Symbols);
            Assert.Equal(30, strategy.Parameters.RootElement.GetProperty("slowPeriod").GetInt32());
            Assert.Equal(new RiskLimits(0.1m, 5000m, 0.02m, 10), strategy.RiskLimits);
            Assert.True(strategy.Enabled);
            var signal = await db.Signals.SingleAsync(s => s.StrategyId == strategyId, Ct);
            Assert.Equal(SignalAction.Buy, signal.Action);
            Assert.Equal(0.75m, signal.Strength);
            Assert.Equal(1, await db.Strategies.CountAsync(s => s.Id == strategyId && s.Symbols.Contains("MSFT"), Ct));
        }
    }

    [Fact]
    public async Task Job_history_alerts_and_watchlists_round_trip()
    {
        Guid jobId;
        Guid userId;
        await using (var db = database.CreateDbContext())
        {
            userId = (await Seed.PortfolioAsync(db)).OwnerUserId;
            var job = new ScheduledJob(Guid.CreateVersion7(), $"sync-{Guid.NewGuid():N}", "SyncOrdersJob", "0/30 * * * * ?", Seed.At);
            var run = job.Start(Guid.CreateVersion7(), Seed.At, "scheduler-1");
            using var metadata = JsonDocument.Parse("""{"ordersChecked":3}""");
            job.Fail(run, Seed.At.AddMilliseconds(250), "broker unavailable", metadata);
            db.ScheduledJobs.Add(job);
            db.JobExecutions.Add(run);
            var alert = new PriceAlert(Guid.CreateVersion7(), userId, "AAPL", PriceAlertCondition.PercentChange, 5m, 200m, Seed.At);
            Assert.True(alert.Evaluate(189m, Seed.At));
            db.PriceAlerts.Add(alert);
            var watchlist = new Watchlist(Guid.CreateVersion7(), userId, "Tech", Seed.At);
            watchlist.Add("aapl", Seed.At);
            Assert.False(watchlist.Add("AAPL", Seed.At));
            watchlist.Add("NVDA", Seed.At);
            db.Watchlists.Add(watchlist);
            await db.SaveChangesAsync(Ct);
            jobId = job.Id;
        }

        await using (var db = database.CreateDbContext())
        {
            var job = await db.ScheduledJobs.SingleAsync(j => j.Id == jobId, Ct);
            Assert.Equal(JobExecutionStatus.Failed, job.LastExecutionStatus);
            Assert.Equal(250d, job.AverageDurationMs);
            var run = await db.JobExecutions.SingleAsync(e => e.JobId == jobId, Ct);
            Assert.Equal(250L, run.DurationMs);
            Assert.Equal(3, run.Metadata!.RootElement.GetProperty("ordersChecked").GetInt32());
            var alert = await db.PriceAlerts.SingleAsync(a => a.UserId == userId, Ct);
            Assert.False(alert.Active);
            Assert.Equal(189m, alert.TriggeredPrice);
            var watchlist = await db.Watchlists.Include(w => w.Items).SingleAsync(w => w.UserId == userId, Ct);
            Assert.Equal(["AAPL", "NVDA"], watchlist.Items.Select(i => i.Symbol).Order());
        }
    }
}
