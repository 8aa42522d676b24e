using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Jobs.Positions;
using StockGod.Scheduler.Monitoring;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Reconciliation;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

/// <summary>Against the simulated exchange: missing, different and closed positions and cash are taken from the broker, once.</summary>
public sealed class PositionSyncSimulatedTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task Missing_different_and_closed_positions_and_cash_are_corrected_to_the_broker_and_recorded_once()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        exchange.Market.Set("MSFT", bid: 399.90m, ask: 400.10m);
        var (portfolioId, userId) = await exchange.CreatePortfolioAsync();
        await PositionSync.HoldLocallyAsync(database, portfolioId, exchange.Time, ("MSFT", 3m, 390m), ("TSLA", 2m, 50m));
        await PositionSync.BuyAtBrokerAsync(exchange, portfolioId, "AAPL", 10m);
        await PositionSync.BuyAtBrokerAsync(exchange, portfolioId, "MSFT", 5m);
        var brokerCash = (await exchange.For(portfolioId, TradingMode.Simulated).GetAccountAsync(PositionSync.Ct)).Cash;

        var first = await PositionSync.RunAsync(database, exchange, exchange.Time);
        var afterFirst = await PositionSync.StateAsync(database, portfolioId);
        var second = await PositionSync.RunAsync(database, exchange, exchange.Time);
        var afterSecond = await PositionSync.StateAsync(database, portfolioId);

        Assert.Equal("AAPL 10@100.1; MSFT 5@400.1", afterFirst.Holdings);
        Assert.Equal(brokerCash, afterFirst.Cash);
        Assert.Equal(100_000m - 1001m - 2000.50m, afterFirst.Cash);

        await using var db = database.CreateDbContext();
        var discrepancies = await db.PositionDiscrepancies.Where(d => d.PortfolioId == portfolioId).OrderBy(d => d.Symbol).ToListAsync(PositionSync.Ct);
        Assert.Equal(
            [
                ("AAPL", DiscrepancyKind.MissingLocally, 0m, (decimal?)null, 10m, (decimal?)100.10m),
                ("MSFT", DiscrepancyKind.QuantityMismatch, 3m, 390m, 5m, 400.10m),
                ("TSLA", DiscrepancyKind.MissingAtBroker, 2m, 50m, 0m, null),
            ],
            discrepancies.Select(d => (d.Symbol, d.Kind, d.LocalQuantity, d.LocalAverageEntryPrice, d.BrokerQuantity, d.BrokerAverageEntryPrice)));
        Assert.All(discrepancies, d => Assert.Equal(PositionDiscrepancy.CorrectedToBroker, d.Resolution));
        var notification = Assert.Single(await db.Notifications.Where(n => n.UserId == userId).ToListAsync(PositionSync.Ct));
        Assert.Equal("positions.corrected", notification.Kind);
        Assert.Contains("TSLA: 2 at 50 → none", notification.Body, StringComparison.Ordinal);

        Assert.Equal((1L, 3L, 3L, 1L, 0L), (first["portfolios_checked"], first["positions_checked"], first["discrepancies_fixed"], first["cash_corrected"], first["broker_failures"]));

        // Idempotent: the second run finds nothing to fix and changes nothing.
        Assert.Equal((1L, 2L, 0L, 0L), (second["portfolios_checked"], second["positions_checked"], second["discrepancies_fixed"], second["cash_corrected"]));
        Assert.Equal(afterFirst, afterSecond);
    }
}

/// <summary>A symbol with an order in flight is left for order_status_check, which books the fill through the order.</summary>
public sealed class PositionSyncInFlightTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_symbol_with_an_open_order_is_deferred_and_cash_is_left_alone()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        exchange.Market.Set("MSFT", bid: 399.90m, ask: 400.10m);
        var (portfolioId, _) = await exchange.CreatePortfolioAsync();
        await exchange.PlaceRestingBuyAsync(portfolioId); // a local open order on AAPL
        await PositionSync.BuyAtBrokerAsync(exchange, portfolioId, OrderStatusHarness.Symbol, 4m);
        await PositionSync.BuyAtBrokerAsync(exchange, portfolioId, "MSFT", 1m);

        var counters = await PositionSync.RunAsync(database, exchange, exchange.Time);

        var state = await PositionSync.StateAsync(database, portfolioId);
        Assert.Equal("MSFT 1@400.1", state.Holdings);
        Assert.Equal(100_000m, state.Cash);
        Assert.Equal((1L, 1L), (counters["discrepancies_fixed"], counters["positions_deferred"]));
    }
}

/// <summary>A failed broker call never means flat: that portfolio is untouched and the others are still synced.</summary>
public sealed class PositionSyncBrokerFailureTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_failing_broker_leaves_its_portfolio_untouched_and_does_not_stop_the_others()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        var (failing, _) = await exchange.CreatePortfolioAsync();
        var (healthy, _) = await exchange.CreatePortfolioAsync();
        await PositionSync.HoldLocallyAsync(database, failing, exchange.Time, ("AAPL", 7m, 90m));
        await PositionSync.HoldLocallyAsync(database, healthy, exchange.Time, ("AAPL", 7m, 90m));
        var before = await PositionSync.StateAsync(database, failing);

        var counters = await PositionSync.RunAsync(database, new FailingFor(exchange, failing), exchange.Time);

        Assert.Equal(before, await PositionSync.StateAsync(database, failing));
        Assert.Empty((await PositionSync.StateAsync(database, healthy)).Holdings);
        await using var db = database.CreateDbContext();
        Assert.False(await db.PositionDiscrepancies.AnyAsync(d => d.PortfolioId == failing, PositionSync.Ct));
        Assert.Equal((1L, 1L, 1L), (counters["portfolios_checked"], counters["broker_failures"], counters["discrepancies_fixed"]));

        await Assert.ThrowsAsync<InvalidOperationException>(() => PositionSync.RunAsync(database, new FailingFor(exchange, failing, everyone: true), exchange.Time));
        Assert.Equal(before, await PositionSync.StateAsync(database, failing));
    }
}

/// <summary>
/// A failed read of many accounts together is no broker failure: each portfolio is asked on its own. A database of its
/// own, because the job syncs every portfolio there is and the test above counts them.
/// </summary>
public sealed class PositionSyncReadTogetherFailureTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_failed_read_of_many_accounts_together_falls_back_to_asking_each_portfolio()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        var (portfolioId, _) = await exchange.CreatePortfolioAsync();
        await PositionSync.HoldLocallyAsync(database, portfolioId, exchange.Time, ("AAPL", 7m, 90m));
        await PositionSync.BuyAtBrokerAsync(exchange, portfolioId, "AAPL", 2m);

        var counters = await PositionSync.RunAsync(database, new ReadTogetherDown(exchange), exchange.Time);

        Assert.Equal("AAPL 2@100.1", (await PositionSync.StateAsync(database, portfolioId)).Holdings);
        Assert.Equal(0L, counters["broker_failures"]);
        Assert.True(counters["discrepancies_fixed"] >= 1);
    }

    private sealed class ReadTogetherDown(IBrokerageGatewayFactory inner) : IBrokerageGatewayFactory
    {
        public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => inner.For(portfolioId, mode);

        public bool IsAvailable(TradingMode mode) => inner.IsAvailable(mode);

        public Task<IReadOnlyDictionary<Guid, BrokerHoldings>> ReadHoldingsTogetherAsync(TradingMode mode, IReadOnlyCollection<Guid> portfolioIds, CancellationToken cancellationToken = default) =>
            throw new BrokerageUnavailableException("503 Service Unavailable");
    }
}

/// <summary>Against the fake Alpaca server (Alpaca's documented position and account JSON) through the real gateway.</summary>
public sealed class PositionSyncAlpacaTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Alpaca_positions_and_cash_are_taken_and_a_failed_positions_call_changes_nothing()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: PositionSync.Ct);
        using var broker = AlpacaGateways.Create(alpaca);
        var (portfolioId, userId) = await PositionSync.CreatePortfolioAsync(database, TradingMode.Paper, _time);
        await PositionSync.HoldLocallyAsync(database, portfolioId, _time, ("AAPL", 10m, 100m), ("MSFT", 5m, 200m), ("GOOG", 2m, 150m), ("AMZN", 4m, 180m));
        alpaca.Brokerage.SetPosition("AAPL", 12m, 101.5m);
        alpaca.Brokerage.SetPosition("GOOG", 2m, 150m);
        alpaca.Brokerage.SetPosition("AMZN", 4m, 181.25m);
        alpaca.Brokerage.SetPosition("NVDA", 3.5m, 450.25m);
        alpaca.Brokerage.Cash = 42_000m;

        // Broker down: every read of the positions fails (beyond the gateway's retries). Nothing may look "flat".
        alpaca.Faults.FailNext("GET", "/v2/positions", times: 10);
        var before = await PositionSync.StateAsync(database, portfolioId);
        await Assert.ThrowsAsync<InvalidOperationException>(() => PositionSync.RunAsync(database, broker, _time));
        Assert.Equal(before, await PositionSync.StateAsync(database, portfolioId));
        alpaca.Faults.Clear();

        var first = await PositionSync.RunAsync(database, broker, _time);
        var second = await PositionSync.RunAsync(database, broker, _time);

        var state = await PositionSync.StateAsync(database, portfolioId);
        Assert.Equal("AAPL 12@101.5; AMZN 4@181.25; GOOG 2@150; NVDA 3.5@450.25", state.Holdings);
        Assert.Equal(42_000m, state.Cash);
        await using var db = database.CreateDbContext();
        var kinds = await db.PositionDiscrepancies.Where(d => d.PortfolioId == portfolioId).OrderBy(d => d.Symbol)
            .Select(d => new { d.Symbol, d.Kind }).ToListAsync(PositionSync.Ct);
        Assert.Equal(
            [("AAPL", DiscrepancyKind.QuantityMismatch), ("AMZN", DiscrepancyKind.AveragePriceMismatch), ("MSFT", DiscrepancyKind.MissingAtBroker), ("NVDA", DiscrepancyKind.MissingLocally)],
            kinds.Select(k => (k.Symbol, k.Kind)));
        Assert.Single(await db.Notifications.Where(n => n.UserId == userId).ToListAsync(PositionSync.Ct));
        Assert.Equal((5L, 4L, 1L), (first["positions_checked"], first["discrepancies_fixed"], first["cash_corrected"]));
        Assert.Equal((4L, 0L, 0L), (second["positions_checked"], second["discrepancies_fixed"], second["cash_corrected"]));
    }
}

/// <summary>One Alpaca account per mode serves the platform: when several portfolios trade it, none can be synced.</summary>
public sealed class PositionSyncSharedAccountTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Portfolios_sharing_one_alpaca_account_are_not_synced()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: PositionSync.Ct);
        using var broker = AlpacaGateways.Create(alpaca);
        var (first, _) = await PositionSync.CreatePortfolioAsync(database, TradingMode.Live, _time);
        var (second, _) = await PositionSync.CreatePortfolioAsync(database, TradingMode.Live, _time);
        await PositionSync.HoldLocallyAsync(database, first, _time, ("AAPL", 1m, 100m));
        alpaca.Brokerage.SetPosition("MSFT", 3m, 300m);

        var counters = await PositionSync.RunAsync(database, broker, _time);

        Assert.Equal("AAPL 1@100", (await PositionSync.StateAsync(database, first)).Holdings);
        Assert.Empty((await PositionSync.StateAsync(database, second)).Holdings);
        Assert.Equal((0L, 2L), (counters["portfolios_checked"], counters["portfolios_skipped"]));
        Assert.DoesNotContain(alpaca.Requests, r => r.Path == "/v2/positions");
    }
}

/// <summary>The Alpaca gateway registered as the Scheduler registers it, pointed at the fake, for both Alpaca modes.</summary>
internal sealed class AlpacaGateways : IBrokerageGatewayFactory, IDisposable
{
    private readonly IHost _host;

    private AlpacaGateways(IHost host) => _host = host;

    public static AlpacaGateways Create(FakeAlpacaServer alpaca)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(alpaca.ConfigurationFor("Paper"));
        builder.Configuration.AddInMemoryCollection(alpaca.ConfigurationFor("Live"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alpaca:Paper:ReadRetryDelay"] = "00:00:00.010",
            ["Alpaca:Live:ReadRetryDelay"] = "00:00:00.010",
            ["Alpaca:Paper:OrderResendDelay"] = "00:00:00.010",
            ["Alpaca:Live:OrderResendDelay"] = "00:00:00.010",
        });
        builder.AddAlpacaBrokerage();
        return new AlpacaGateways(builder.Build());
    }

    public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => _host.Services.GetRequiredKeyedService<IBrokerageGateway>(mode);

    public bool IsAvailable(TradingMode mode) => mode != TradingMode.Simulated;

    public void Dispose() => _host.Dispose();
}

/// <summary>Running the job's service and reading a portfolio's holdings back.</summary>
internal static class PositionSync
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JobCounters> RunAsync(TradingDatabaseFixture database, IBrokerageGatewayFactory gateways, TimeProvider time)
    {
        await using var db = database.CreateDbContext();
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(database.DataSource);
        var counters = new JobCounters();
        await new PositionSyncService(
                db, new PooledDbContextFactory<TradingDbContext>(options.Options), gateways, time, NullLogger<PositionSyncService>.Instance)
            .SyncPositionsAsync(counters, Ct);
        return counters;
    }

    public static async Task<(Guid PortfolioId, Guid UserId)> CreatePortfolioAsync(TradingDatabaseFixture database, TradingMode mode, TimeProvider time)
    {
        await using var db = database.CreateDbContext();
        var user = new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Trader", time.GetUtcNow());
        var portfolio = new Portfolio(Guid.CreateVersion7(), user.Id, "Main", mode, 100_000m, time.GetUtcNow());
        db.Users.Add(user);
        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync(Ct);
        return (portfolio.Id, user.Id);
    }

    /// <summary>Books buys on our side only, as if fills had been recorded that the broker never had.</summary>
    public static async Task HoldLocallyAsync(TradingDatabaseFixture database, Guid portfolioId, TimeProvider time, params (string Symbol, decimal Quantity, decimal Price)[] holdings)
    {
        await using var db = database.CreateDbContext();
        var portfolio = await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
        foreach (var (symbol, quantity, price) in holdings)
        {
            portfolio.ApplyFill(Guid.CreateVersion7(), symbol, OrderSide.Buy, quantity, price, 0m, time.GetUtcNow());
        }

        await db.SaveChangesAsync(Ct);
    }

    /// <summary>Buys at the simulated exchange directly, as if our record of the order had been lost.</summary>
    public static async Task BuyAtBrokerAsync(IBrokerageGatewayFactory exchange, Guid portfolioId, string symbol, decimal quantity)
    {
        var order = await exchange.For(portfolioId, TradingMode.Simulated).SubmitOrderAsync(
            new SubmitOrderRequest($"direct-{Guid.NewGuid():N}", symbol, OrderSide.Buy, OrderType.Market, TimeInForce.Day, quantity), Ct);
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    public static async Task<HoldingState> StateAsync(TradingDatabaseFixture database, Guid portfolioId)
    {
        await using var db = database.CreateDbContext();
        var portfolio = await db.Portfolios.AsNoTracking().Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
        var holdings = portfolio.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal)
            .Select(p => $"{p.Symbol} {DecimalRounding.Format(p.Quantity)}@{DecimalRounding.Format(p.AverageEntryPrice)}");
        return new HoldingState(portfolio.Cash, string.Join("; ", holdings));
    }
}

/// <summary>A portfolio's cash and holdings ("SYMBOL quantity@average; ..." by symbol), comparable by value.</summary>
internal sealed record HoldingState(decimal Cash, string Holdings);
