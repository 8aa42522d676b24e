using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Jobs.Strategies;
using StockGod.Scheduler.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Events;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Tests;

/// <summary>strategy_execution against the simulated exchange: BUY and SELL become booked orders, HOLD places nothing,
/// and every strategy is served by one batch of quotes and one of bars.</summary>
public sealed class StrategyExecutionTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task Signals_become_orders_booked_on_the_simulated_exchange_from_one_batch_of_market_data()
    {
        var fire = StrategyExecutionHost.Monday10Am;
        var time = new FakeTimeProvider(fire.AddSeconds(3));
        var market = new MarketBoard();
        market.Set("UPCO", fire, 12m, StrategySeed.CrossesUp);
        market.Set("DOWNCO", fire, 8m, StrategySeed.CrossesDown);
        market.Set("FLATCO", fire, 10m, StrategySeed.Flat);
        await using var events = await TradingEventSubscriber.ConnectAsync();
        using var host = new StrategyExecutionHost(database, time, market, events.Publisher);

        var (buyer, buyerUser) = await StrategySeed.PortfolioAsync(database, fire);
        var buyStrategy = await StrategySeed.SmaCrossoverAsync(database, buyer, fire, symbols: ["UPCO", "FLATCO"]);
        var (seller, sellerUser) = await StrategySeed.PortfolioAsync(database, fire);
        await host.BuyAsync(seller, "DOWNCO", 40m);
        var sellStrategy = await StrategySeed.SmaCrossoverAsync(database, seller, fire, symbols: ["DOWNCO", "FLATCO"]);
        var (holder, _) = await StrategySeed.PortfolioAsync(database, fire);
        await StrategySeed.SmaCrossoverAsync(database, holder, fire, symbols: ["FLATCO"]);

        var counters = await host.RunAsync(fire);

        Assert.Equal((1, 1), (market.Job.QuoteCalls, market.Job.BarCalls));
        Assert.Equal(["DOWNCO", "FLATCO", "UPCO"], market.Job.QuotedSymbols.Order(StringComparer.Ordinal));
        Assert.Equal(
            (3L, 3L, 1L, 1L, 3L, 2L, 0L, 0L),
            (counters["portfolios_processed"], counters["strategies_evaluated"], counters["signals_buy"], counters["signals_sell"],
                counters["signals_hold"], counters["orders_placed"], counters["orders_rejected"], counters["portfolios_failed"]));

        await using var db = database.CreateDbContext();
        var buy = await db.Orders.Include(o => o.Fills).SingleAsync(o => o.PortfolioId == buyer, StrategyExecutionHost.Ct);
        Assert.Equal(StrategyOrderIds.ClientOrderId(buyStrategy, "UPCO", fire), buy.ClientOrderId);
        Assert.Equal((OrderSide.Buy, OrderStatus.Filled, buyStrategy), (buy.Side, buy.Status, buy.StrategyId));
        // Half of the 100,000 equity (the strategy's cap) at the 12.05 ask, in whole shares.
        Assert.Equal(decimal.Floor(50_000m / 12m), buy.Quantity);
        var signal = await db.Signals.SingleAsync(s => s.Id == buy.SignalId, StrategyExecutionHost.Ct);
        Assert.Equal((SignalAction.Buy, "UPCO"), (signal.Action, signal.Symbol));
        var bought = await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == buyer, StrategyExecutionHost.Ct);
        Assert.Equal(buy.Quantity, Assert.Single(bought.Positions).Quantity);
        Assert.Equal(100_000m - (buy.Quantity!.Value * Assert.Single(buy.Fills).Price), bought.Cash);

        var sell = await db.Orders.SingleAsync(o => o.PortfolioId == seller && o.StrategyId != null, StrategyExecutionHost.Ct);
        Assert.Equal((OrderSide.Sell, 40m, OrderStatus.Filled, sellStrategy), (sell.Side, sell.Quantity, sell.Status, sell.StrategyId));
        Assert.Empty((await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == seller, StrategyExecutionHost.Ct)).Positions);
        Assert.False(await db.Orders.AnyAsync(o => o.PortfolioId == holder, StrategyExecutionHost.Ct));
        Assert.False(await db.Orders.AnyAsync(o => o.Symbol == "FLATCO", StrategyExecutionHost.Ct));

        Assert.Equal("order.filled", (await db.Notifications.SingleAsync(n => n.UserId == buyerUser, StrategyExecutionHost.Ct)).Kind);
        Assert.Equal("order.filled", (await db.Notifications.SingleAsync(n => n.UserId == sellerUser, StrategyExecutionHost.Ct)).Kind);
        Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, buy.ClientOrderId));
        Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, sell.ClientOrderId));
        var published = await events.WaitForAsync(e => e.UserId == buyerUser, count: 2);
        var changed = Assert.Single(published, e => e.Kind == OrderStatusChanged.Kind);
        Assert.Equal(buy.ClientOrderId, changed.Payload.GetProperty("client_order_id").GetString());
        Assert.Equal("filled", changed.Payload.GetProperty("status").GetString());
        Assert.Single(published, e => e.Kind == OrderFilled.Kind);
        Assert.True((await db.Strategies.SingleAsync(s => s.Id == buyStrategy, StrategyExecutionHost.Ct)).LastEvaluatedAt == fire);
    }
}

/// <summary>A retried or duplicated firing never orders twice, and a later firing on the same bars does not trade the same signal again.</summary>
public sealed class StrategyExecutionIdempotencyTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task The_same_firing_run_twice_places_one_order_and_the_next_tick_does_not_repeat_it()
    {
        var fire = StrategyExecutionHost.Monday10Am;
        var time = new FakeTimeProvider(fire.AddSeconds(3));
        var market = new MarketBoard();
        market.Set("UPCO", fire, 12m, StrategySeed.CrossesUp);
        await using var events = await TradingEventSubscriber.ConnectAsync();
        using var host = new StrategyExecutionHost(database, time, market, events.Publisher);
        var (portfolioId, _) = await StrategySeed.PortfolioAsync(database, fire);
        var strategyId = await StrategySeed.SmaCrossoverAsync(database, portfolioId, fire, symbols: ["UPCO"]);

        var first = await host.RunAsync(fire);
        time.Advance(TimeSpan.FromSeconds(30));
        var again = await host.RunAsync(fire);
        time.Advance(TimeSpan.FromMinutes(15));
        var nextTick = await host.RunAsync(fire.AddMinutes(15));

        Assert.Equal((1L, 0L), (first["orders_placed"], first["orders_existing"]));
        Assert.Equal((0L, 1L), (again["orders_placed"], again["orders_existing"]));
        Assert.Equal((1L, 0L, 1L), (nextTick["signals_buy"], nextTick["orders_placed"], nextTick["signals_already_acted"]));
        await using var db = database.CreateDbContext();
        var order = await db.Orders.SingleAsync(o => o.PortfolioId == portfolioId, StrategyExecutionHost.Ct);
        Assert.Equal(StrategyOrderIds.ClientOrderId(strategyId, "UPCO", fire), order.ClientOrderId);
        Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, order.ClientOrderId));
        Assert.Equal(1, await db.Signals.CountAsync(s => s.StrategyId == strategyId, StrategyExecutionHost.Ct));
    }
}

/// <summary>
/// Crash safety: the broker accepts the order and the process dies before recording the answer. After a restart the
/// same firing finds the order by client_order_id and records it; the broker never receives a second one.
/// </summary>
public sealed class StrategyExecutionCrashTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_crash_after_the_broker_accepted_is_recovered_from_the_broker_without_a_second_order()
    {
        var fire = StrategyExecutionHost.Monday10Am;
        var time = new FakeTimeProvider(fire.AddSeconds(3));
        var market = new MarketBoard();
        market.Set("UPCO", fire, 12m, StrategySeed.CrossesUp);
        await using var events = await TradingEventSubscriber.ConnectAsync();
        var (portfolioId, userId) = await StrategySeed.PortfolioAsync(database, fire);
        var strategyId = await StrategySeed.SmaCrossoverAsync(database, portfolioId, fire, symbols: ["UPCO"]);
        var clientOrderId = StrategyOrderIds.ClientOrderId(strategyId, "UPCO", fire);

        using (var dying = new StrategyExecutionHost(database, time, market, events.Publisher, wrapGateways: inner => new DiesAfterSubmit(inner)))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => dying.RunAsync(fire));
        }

        await using (var db = database.CreateDbContext())
        {
            var unrecorded = await db.Orders.SingleAsync(o => o.PortfolioId == portfolioId, StrategyExecutionHost.Ct);
            Assert.Equal((OrderStatus.PendingNew, (Guid?)null), (unrecorded.Status, unrecorded.BrokerOrderId));
            Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, clientOrderId));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using var restarted = new StrategyExecutionHost(database, time, market, events.Publisher);
        var counters = await restarted.RunAsync(fire);

        Assert.Equal((1L, 0L), (counters["orders_resumed"], counters["orders_placed"]));
        Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, clientOrderId));
        await using var check = database.CreateDbContext();
        var order = await check.Orders.Include(o => o.Fills).SingleAsync(o => o.PortfolioId == portfolioId, StrategyExecutionHost.Ct);
        Assert.Equal(clientOrderId, order.ClientOrderId);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.NotNull(order.BrokerOrderId);
        Assert.Single(order.Fills);
        var portfolio = await check.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, StrategyExecutionHost.Ct);
        Assert.Equal(order.Quantity, Assert.Single(portfolio.Positions).Quantity);
        Assert.Equal("order.filled", (await check.Notifications.SingleAsync(n => n.UserId == userId, StrategyExecutionHost.Ct)).Kind);
    }

    /// <summary>Lets the broker take the order, then fails as a process killed before it could read the answer.</summary>
    private sealed class DiesAfterSubmit(IBrokerageGatewayFactory inner) : IBrokerageGatewayFactory
    {
        public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => new Gateway(inner.For(portfolioId, mode));

        public bool IsAvailable(TradingMode mode) => inner.IsAvailable(mode);

        private sealed class Gateway(IBrokerageGateway broker) : IBrokerageGateway
        {
            public async Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default)
            {
                await broker.SubmitOrderAsync(request, cancellationToken);
                throw new ProcessKilledException();
            }

            public Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => broker.GetOrderAsync(orderId, cancellationToken);

            public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
                broker.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken);

            public Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default) =>
                broker.ListOrdersAsync(request, cancellationToken);

            public Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => broker.CancelOrderAsync(orderId, cancellationToken);

            public Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default) => broker.ListPositionsAsync(cancellationToken);

            public Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) => broker.GetAccountAsync(cancellationToken);

            public Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default) => broker.GetClockAsync(cancellationToken);

            public Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
                broker.ListCalendarAsync(from, to, cancellationToken);
        }
    }

    private sealed class ProcessKilledException() : Exception("The process was killed.");
}

/// <summary>One portfolio's broker failing does not keep the job from trading the others.</summary>
public sealed class StrategyExecutionIsolationTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_failing_broker_for_one_portfolio_does_not_stop_the_others()
    {
        var fire = StrategyExecutionHost.Monday10Am;
        var time = new FakeTimeProvider(fire.AddSeconds(3));
        var market = new MarketBoard();
        market.Set("UPCO", fire, 12m, StrategySeed.CrossesUp);
        await using var events = await TradingEventSubscriber.ConnectAsync();
        var (unreachable, _) = await StrategySeed.PortfolioAsync(database, fire);
        var (down, _) = await StrategySeed.PortfolioAsync(database, fire);
        var (healthy, _) = await StrategySeed.PortfolioAsync(database, fire);
        foreach (var portfolio in (Guid[])[unreachable, down, healthy])
        {
            await StrategySeed.SmaCrossoverAsync(database, portfolio, fire, symbols: ["UPCO"]);
        }

        using var host = new StrategyExecutionHost(
            database, time, market, events.Publisher, wrapGateways: inner => new NoGatewayFor(new FailingFor(inner, down), unreachable));

        var counters = await host.RunAsync(fire);

        Assert.Equal(
            // The broker that is down took none of its portfolio's orders: that portfolio failed too.
            (3L, 2L, 1L, 1L),
            (counters["portfolios_processed"], counters["portfolios_failed"], counters["orders_placed"], counters["orders_unconfirmed"]));
        await using var db = database.CreateDbContext();
        Assert.Equal(OrderStatus.Filled, (await db.Orders.SingleAsync(o => o.PortfolioId == healthy, StrategyExecutionHost.Ct)).Status);
        // Saved before sending, unconfirmed by the broker that is down: order_status_check resumes it by client_order_id.
        Assert.Equal(OrderStatus.PendingNew, (await db.Orders.SingleAsync(o => o.PortfolioId == down, StrategyExecutionHost.Ct)).Status);
        // Saved before the gateway failed: it stays pending_new for order_status_check, never lost and never sent twice.
        Assert.Equal(OrderStatus.PendingNew, (await db.Orders.SingleAsync(o => o.PortfolioId == unreachable, StrategyExecutionHost.Ct)).Status);
    }

    /// <summary>A portfolio whose broker cannot even be reached (as an Alpaca mode without keys).</summary>
    private sealed class NoGatewayFor(IBrokerageGatewayFactory inner, Guid portfolioId) : IBrokerageGatewayFactory
    {
        public IBrokerageGateway For(Guid portfolio, TradingMode mode) =>
            portfolio == portfolioId ? throw new InvalidOperationException("No broker is configured for this portfolio.") : inner.For(portfolio, mode);

        public bool IsAvailable(TradingMode mode) => true;
    }
}

/// <summary>strategy_execution against the fake Alpaca server: the deterministic client_order_id is what Alpaca receives, once.</summary>
public sealed class StrategyExecutionAlpacaTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task The_client_order_id_reaches_alpaca_and_a_duplicate_firing_does_not_send_again()
    {
        var fire = StrategyExecutionHost.Monday10Am;
        var time = new FakeTimeProvider(fire.AddSeconds(3));
        var market = new MarketBoard();
        market.Set("UPCO", fire, 12m, StrategySeed.CrossesUp);
        await using var alpaca = await FakeAlpacaServer.StartAsync(time, StrategyExecutionHost.Ct);
        alpaca.Brokerage.Cash = 100_000m;
        alpaca.Brokerage.SetPrice("UPCO", 12m);
        await using var events = await TradingEventSubscriber.ConnectAsync();
        var (portfolioId, _) = await StrategySeed.PortfolioAsync(database, fire, TradingMode.Paper);
        var strategyId = await StrategySeed.SmaCrossoverAsync(database, portfolioId, fire, symbols: ["UPCO"]);
        var clientOrderId = StrategyOrderIds.ClientOrderId(strategyId, "UPCO", fire);

        using (var replica = new StrategyExecutionHost(database, time, market, events.Publisher, alpaca.ConfigurationFor("Paper")))
        {
            Assert.Equal(1, (await replica.RunAsync(fire))["orders_placed"]);
        }

        // The same firing again, as a second replica or a retry would run it.
        time.Advance(TimeSpan.FromSeconds(20));
        using (var duplicate = new StrategyExecutionHost(database, time, market, events.Publisher, alpaca.ConfigurationFor("Paper")))
        {
            var again = await duplicate.RunAsync(fire);
            Assert.Equal((0L, 1L), (again["orders_placed"], again["orders_existing"]));
        }

        var sent = Assert.Single(alpaca.Brokerage.Orders);
        Assert.Equal(clientOrderId, sent.ClientOrderId);
        Assert.Equal(("UPCO", decimal.Floor(50_000m / 12m)), (sent.Symbol, sent.Qty));
        Assert.Equal(1, alpaca.CountRequests("POST", "/v2/orders"));
        await using var db = database.CreateDbContext();
        var order = await db.Orders.SingleAsync(o => o.PortfolioId == portfolioId, StrategyExecutionHost.Ct);
        Assert.Equal((clientOrderId, (Guid?)sent.Id), (order.ClientOrderId, order.BrokerOrderId));
        Assert.NotEqual(OrderStatus.PendingNew, order.Status);
    }
}

/// <summary>
/// A portfolio's orders of one firing go to the broker as one batch, every one saved with its client_order_id first;
/// a firing that died after the broker took the batch is resumed by client_order_id, and no order is sent twice.
/// </summary>
public sealed class StrategyExecutionBatchTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_portfolios_orders_are_saved_then_sent_as_one_batch_and_a_crashed_firing_is_resumed_without_a_second_order()
    {
        var fire = StrategyExecutionHost.Monday10Am;
        var time = new FakeTimeProvider(fire.AddSeconds(3));
        var market = new MarketBoard();
        market.Set("UPCO", fire, 12m, StrategySeed.CrossesUp);
        market.Set("UPTOO", fire, 20m, StrategySeed.CrossesUp);
        await using var events = await TradingEventSubscriber.ConnectAsync();
        var (portfolioId, userId) = await StrategySeed.PortfolioAsync(database, fire);
        var strategyId = await StrategySeed.SmaCrossoverAsync(database, portfolioId, fire, new RiskLimits(0.3m, 1_000_000m, 0m, 10), "UPCO", "UPTOO");
        string[] clientOrderIds = [StrategyOrderIds.ClientOrderId(strategyId, "UPCO", fire), StrategyOrderIds.ClientOrderId(strategyId, "UPTOO", fire)];
        var batches = new List<IReadOnlyList<(string ClientOrderId, OrderStatus Status)>>();

        using (var dying = new StrategyExecutionHost(
            database, time, market, events.Publisher, wrapGateways: inner => new WatchedGateways(inner, database, batches, dieAfterSending: true)))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => dying.RunAsync(fire));
        }

        // One broker call carried both orders, and both were in the database (pending_new) before it was made.
        var batch = Assert.Single(batches);
        Assert.Equal(clientOrderIds.Order(StringComparer.Ordinal).Select(id => (id, OrderStatus.PendingNew)), batch.OrderBy(o => o.ClientOrderId, StringComparer.Ordinal));
        foreach (var id in clientOrderIds)
        {
            Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, id));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using var restarted = new StrategyExecutionHost(
            database, time, market, events.Publisher, wrapGateways: inner => new WatchedGateways(inner, database, batches, dieAfterSending: false));
        var resumed = await restarted.RunAsync(fire);
        var again = await restarted.RunAsync(fire);

        Assert.Equal((2L, 0L), (resumed["orders_resumed"], resumed["orders_placed"]));
        Assert.Equal((0L, 2L), (again["orders_placed"], again["orders_existing"]));
        Assert.Single(batches); // nothing was sent again
        foreach (var id in clientOrderIds)
        {
            Assert.Equal(1, await StrategySeed.BrokerOrderCountAsync(database, id));
        }

        await using var db = database.CreateDbContext();
        var orders = await db.Orders.Include(o => o.Fills).Where(o => o.PortfolioId == portfolioId).ToListAsync(StrategyExecutionHost.Ct);
        Assert.Equal(clientOrderIds.Order(StringComparer.Ordinal), orders.Select(o => o.ClientOrderId).Order(StringComparer.Ordinal));
        Assert.All(orders, o => Assert.Equal((OrderStatus.Filled, 1), (o.Status, o.Fills.Count)));
        var portfolio = await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, StrategyExecutionHost.Ct);
        Assert.Equal(["UPCO", "UPTOO"], portfolio.Positions.Select(p => p.Symbol).Order(StringComparer.Ordinal));
        Assert.Equal(100_000m - orders.Sum(o => o.Fills.Sum(f => f.Quantity * f.Price)), portfolio.Cash);
        Assert.Equal(2, await db.Notifications.CountAsync(n => n.UserId == userId && n.Kind == "order.filled", StrategyExecutionHost.Ct));
    }

    /// <summary>Records each batch the broker receives with the orders' status in the database at that moment; can die after sending.</summary>
    private sealed class WatchedGateways(
        IBrokerageGatewayFactory inner, TradingDatabaseFixture database, List<IReadOnlyList<(string ClientOrderId, OrderStatus Status)>> batches, bool dieAfterSending)
        : IBrokerageGatewayFactory
    {
        public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => new Gateway(inner.For(portfolioId, mode), database, batches, dieAfterSending);

        public bool IsAvailable(TradingMode mode) => inner.IsAvailable(mode);
    }

    private sealed class Gateway(
        IBrokerageGateway broker, TradingDatabaseFixture database, List<IReadOnlyList<(string ClientOrderId, OrderStatus Status)>> batches, bool dieAfterSending)
        : ForwardingGateway(broker)
    {
        public override async Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(IReadOnlyList<SubmitOrderRequest> requests, CancellationToken cancellationToken = default)
        {
            var ids = requests.Select(r => r.ClientOrderId).ToList();
            await using (var db = database.CreateDbContext())
            {
                var saved = await db.Orders.Where(o => ids.Contains(o.ClientOrderId)).Select(o => new { o.ClientOrderId, o.Status }).ToListAsync(cancellationToken);
                batches.Add([.. saved.Select(o => (o.ClientOrderId, o.Status))]);
            }

            var answers = await base.SubmitOrdersAsync(requests, cancellationToken);
            return dieAfterSending ? throw new ProcessKilledException() : answers;
        }
    }

    private sealed class ProcessKilledException() : Exception("The process was killed.");
}
