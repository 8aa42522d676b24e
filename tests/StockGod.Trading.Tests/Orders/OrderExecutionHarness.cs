using Microsoft.Extensions.Logging.Abstractions;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;
using StockGod.Trading.Tests.Simulated;

namespace StockGod.Trading.Tests.Orders;

/// <summary>The placement and update services over a real database and the simulated exchange, with a gateway test double wrapped around it.</summary>
internal sealed class OrderExecutionHarness(TradingDatabaseFixture database) : IBrokerageGatewayFactory
{
    public SimulatedExchangeHarness Exchange { get; } = new(database);

    /// <summary>Wraps the real simulated gateway, e.g. to fail after it accepted an order.</summary>
    public Func<IBrokerageGateway, IBrokerageGateway> Wrap { get; set; } = gateway => gateway;

    public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => Wrap(Exchange.For(portfolioId));

    public bool IsAvailable(TradingMode mode) => true;

    public (OrderPlacementService Placement, OrderUpdateService Updates, TradingDbContext Db) CreateServices()
    {
        var db = database.CreateDbContext();
        var updates = new OrderUpdateService(db, ZeroCommissionModel.Instance, Exchange.Time, NullLogger<OrderUpdateService>.Instance);
        return (new OrderPlacementService(db, this, updates, Exchange.Time, NullLogger<OrderPlacementService>.Instance), updates, db);
    }
}

/// <summary>A gateway that behaves like a broker whose answers get lost: it forwards, then throws a transient failure.</summary>
internal sealed class FlakyGateway(IBrokerageGateway inner) : IBrokerageGateway
{
    public bool FailSubmitAfterForwarding { get; init; }

    public bool FailSubmitBeforeForwarding { get; init; }

    public bool FailLookups { get; init; }

    public int Submits { get; private set; }

    public Func<SubmitOrderRequest, Task>? BeforeSubmit { get; init; }

    public async Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default)
    {
        Submits++;
        if (BeforeSubmit is not null)
        {
            await BeforeSubmit(request);
        }

        if (FailSubmitBeforeForwarding)
        {
            throw new BrokerageUnavailableException("503 Service Unavailable");
        }

        var order = await inner.SubmitOrderAsync(request, cancellationToken);
        return FailSubmitAfterForwarding ? throw new TimeoutException("The broker did not answer in time.") : order;
    }

    public Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(orderId, cancellationToken);

    public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        FailLookups ? throw new BrokerageUnavailableException("503 Service Unavailable") : inner.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken);

    public Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default) => inner.ListOrdersAsync(request, cancellationToken);

    public Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => inner.CancelOrderAsync(orderId, cancellationToken);

    public Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default) => inner.ListPositionsAsync(cancellationToken);

    public Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) => inner.GetAccountAsync(cancellationToken);

    public Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default) => inner.GetClockAsync(cancellationToken);

    public Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) => inner.ListCalendarAsync(from, to, cancellationToken);
}
