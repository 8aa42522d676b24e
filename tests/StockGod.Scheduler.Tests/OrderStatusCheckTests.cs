using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Jobs.Orders;
using StockGod.Scheduler.Monitoring;
using StockGod.Scheduler.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Events;
using StockGod.Trading.Execution;
using StockGod.Trading.Market;

namespace StockGod.Scheduler.Tests;

/// <summary>A resting limit order on the simulated exchange, filled when the quote moves through it, seen by the job.</summary>
public sealed class OrderStatusCheckFillTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_resting_limit_buy_filled_at_the_broker_is_booked_once_and_notified()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        var (portfolioId, userId) = await exchange.CreatePortfolioAsync();
        var orderId = await exchange.PlaceRestingBuyAsync(portfolioId);

        exchange.Market.Set(OrderStatusHarness.Symbol, bid: 94.00m, ask: 94.50m);
        exchange.Time.Advance(TimeSpan.FromMinutes(1));
        var first = await exchange.CheckAsync(exchange);
        var second = await exchange.CheckAsync(exchange);

        await using var db = database.CreateDbContext();
        var order = await db.Orders.Include(o => o.Fills).SingleAsync(o => o.Id == orderId, OrderStatusHarness.Ct);
        Assert.Equal(OrderStatus.Filled, order.Status);
        var fill = Assert.Single(order.Fills);
        Assert.Equal(10m, fill.Quantity);
        Assert.True(fill.Price <= 95m, $"filled at {fill.Price}, above the limit");
        var portfolio = await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, OrderStatusHarness.Ct);
        Assert.Equal(10m, Assert.Single(portfolio.Positions).Quantity);
        Assert.Equal(100_000m - (10m * fill.Price), portfolio.Cash);
        var notification = Assert.Single(await db.Notifications.Where(n => n.UserId == userId).ToListAsync(OrderStatusHarness.Ct));
        Assert.Equal("order.filled", notification.Kind);

        Assert.Equal(
            (1L, 1L, 1L, 0L, 0L, 0L, 0L, 0L),
            (first["portfolios_processed"], first["orders_checked"], first["orders_filled"], first["orders_partially_filled"],
                first["orders_canceled"], first["orders_rejected"], first["orders_expired"], first["broker_errors"]));
        Assert.Equal((0L, 0L, 0L), (second["orders_checked"], second["orders_filled"], second["broker_errors"]));

        // Published once, to the owner, through Redis: the status change and the fill (the second run changed nothing).
        var published = await exchange.Events.WaitForAsync(e => e.UserId == userId, count: 2);
        var changed = Assert.Single(published, e => e.Kind == OrderStatusChanged.Kind);
        Assert.Equal("filled", changed.Payload.GetProperty("status").GetString());
        Assert.Equal(orderId, changed.Payload.GetProperty("order_id").GetGuid());
        var filled = Assert.Single(published, e => e.Kind == OrderFilled.Kind);
        Assert.Equal(10m, filled.Payload.GetProperty("quantity").GetDecimal());
        Assert.Equal(fill.Price, filled.Payload.GetProperty("price").GetDecimal());
    }
}

/// <summary>One portfolio's broker failing does not keep the job from another portfolio's orders.</summary>
public sealed class OrderStatusCheckIsolationTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task A_failing_broker_for_one_portfolio_does_not_stop_the_others()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        var (failing, _) = await exchange.CreatePortfolioAsync();
        var (healthy, _) = await exchange.CreatePortfolioAsync();
        var failingOrder = await exchange.PlaceRestingBuyAsync(failing);
        var healthyOrder = await exchange.PlaceRestingBuyAsync(healthy);

        exchange.Market.Set(OrderStatusHarness.Symbol, bid: 94.00m, ask: 94.50m);
        exchange.Time.Advance(TimeSpan.FromMinutes(1));
        var counters = await exchange.CheckAsync(new FailingFor(exchange, failing));

        await using var db = database.CreateDbContext();
        Assert.Equal(OrderStatus.Filled, (await db.Orders.SingleAsync(o => o.Id == healthyOrder, OrderStatusHarness.Ct)).Status);
        Assert.Equal(OrderStatus.New, (await db.Orders.SingleAsync(o => o.Id == failingOrder, OrderStatusHarness.Ct)).Status);
        Assert.Equal((2L, 1L, 1L), (counters["portfolios_processed"], counters["orders_filled"], counters["broker_errors"]));
    }
}

/// <summary>A broker down for everyone fails the run, so the circuit breaker counts it.</summary>
public sealed class OrderStatusCheckBrokerDownTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task The_run_fails_when_the_broker_failed_for_every_portfolio()
    {
        await using var exchange = await OrderStatusHarness.CreateAsync(database);
        var (portfolioId, _) = await exchange.CreatePortfolioAsync();
        await exchange.PlaceRestingBuyAsync(portfolioId);

        await Assert.ThrowsAsync<InvalidOperationException>(() => exchange.CheckAsync(new FailingFor(exchange, portfolioId, everyone: true)));
    }
}

/// <summary>The simulated exchange over the test database with a controlled clock and quotes, and the services around it.</summary>
internal sealed class OrderStatusHarness : IBrokerageGatewayFactory, IAsyncDisposable
{
    public const string Symbol = "AAPL";

    private readonly TradingDatabaseFixture _database;
    private readonly SimulatedExchangeFactory _exchange;

    private OrderStatusHarness(TradingDatabaseFixture database, TradingEventSubscriber events)
    {
        _database = database;
        Events = events;
        Market = new ControlledQuotes(Time);
        Market.Set(Symbol, bid: 99.90m, ask: 100.10m);
        _exchange = new SimulatedExchangeFactory(
            database.DataSource, Market, NyseCalendar.Instance, Time, Options.Create(new SimulatedExchangeOptions()), NullLogger<SimulatedExchange>.Instance);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The job's events, published and received through the test Redis server.</summary>
    public TradingEventSubscriber Events { get; }

    /// <summary>Monday 2024-03-04 10:00 in New York: the NYSE is open.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2024, 3, 4, 15, 0, 0, TimeSpan.Zero));

    public ControlledQuotes Market { get; }

    public static async Task<OrderStatusHarness> CreateAsync(TradingDatabaseFixture database) =>
        new(database, await TradingEventSubscriber.ConnectAsync());

    public ValueTask DisposeAsync() => Events.DisposeAsync();

    public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => _exchange.For(portfolioId, mode);

    public bool IsAvailable(TradingMode mode) => true;

    public Task<IReadOnlyDictionary<Guid, BrokerHoldings>> ReadHoldingsTogetherAsync(TradingMode mode, IReadOnlyCollection<Guid> portfolioIds, CancellationToken cancellationToken = default) =>
        _exchange.ReadHoldingsTogetherAsync(mode, portfolioIds, cancellationToken);

    public async Task<(Guid PortfolioId, Guid UserId)> CreatePortfolioAsync()
    {
        await using var db = _database.CreateDbContext();
        var user = new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Trader", Time.GetUtcNow());
        var portfolio = new Portfolio(Guid.CreateVersion7(), user.Id, "Main", TradingMode.Simulated, 100_000m, Time.GetUtcNow());
        db.Users.Add(user);
        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync(Ct);
        return (portfolio.Id, user.Id);
    }

    /// <summary>A day limit buy of 10 at 95 while the ask is 100.10: accepted, resting.</summary>
    public async Task<Guid> PlaceRestingBuyAsync(Guid portfolioId)
    {
        await using var db = _database.CreateDbContext();
        var updates = new OrderUpdateService(db, ZeroCommissionModel.Instance, Time, NullLogger<OrderUpdateService>.Instance);
        var placement = new OrderPlacementService(db, this, updates, Time, NullLogger<OrderPlacementService>.Instance);
        var placed = await placement.PlaceAsync(
            new PlaceOrder(portfolioId, Symbol, OrderSide.Buy, OrderType.Limit, TimeInForce.Day, 10m, LimitPrice: 95m), Ct);
        Assert.Equal(OrderStatus.New, placed.Order.Status);
        return placed.Order.Id;
    }

    public async Task<JobCounters> CheckAsync(IBrokerageGatewayFactory gateways)
    {
        await using var db = _database.CreateDbContext();
        var updates = new OrderUpdateService(db, ZeroCommissionModel.Instance, Time, NullLogger<OrderUpdateService>.Instance);
        var placement = new OrderPlacementService(db, gateways, updates, Time, NullLogger<OrderPlacementService>.Instance);
        var counters = new JobCounters();
        await new OrderStatusCheckService(db, gateways, updates, placement, Events.Publisher, Time, NullLogger<OrderStatusCheckService>.Instance)
            .CheckOrdersAsync(counters, Ct);
        return counters;
    }
}

/// <summary>Quotes set by hand at the market-data seam.</summary>
internal sealed class ControlledQuotes(TimeProvider clock) : IMarketDataSource
{
    private readonly ConcurrentDictionary<string, Quote> _quotes = new(StringComparer.Ordinal);

    public void Set(string symbol, decimal bid, decimal ask) =>
        _quotes[symbol] = new Quote(symbol, bid, 100, ask, 100, (bid + ask) / 2m, clock.GetUtcNow(), "test");

    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, Quote>>(symbols.Where(_quotes.ContainsKey).ToDictionary(s => s, s => _quotes[s], StringComparer.Ordinal));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The simulated exchange trades on quotes only.");
}

/// <summary>Hands out a gateway that fails like a broker that is down, for one portfolio (or every one).</summary>
internal sealed class FailingFor(IBrokerageGatewayFactory inner, Guid portfolioId, bool everyone = false) : IBrokerageGatewayFactory
{
    public IBrokerageGateway For(Guid portfolio, TradingMode mode) =>
        everyone || portfolio == portfolioId ? new DownGateway() : inner.For(portfolio, mode);

    public bool IsAvailable(TradingMode mode) => true;

    private sealed class DownGateway : IBrokerageGateway
    {
        private static BrokerageUnavailableException Down() => new("503 Service Unavailable");

        public Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default) => throw Down();

        public Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => throw Down();

        public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) => throw Down();

        public Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default) => throw Down();

        public Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => throw Down();

        public Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default) => throw Down();

        public Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) => throw Down();

        public Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default) => throw Down();

        public Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) => throw Down();
    }
}
