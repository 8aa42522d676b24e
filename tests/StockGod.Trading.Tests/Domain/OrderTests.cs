using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;

namespace StockGod.Trading.Tests.Domain;

public sealed class OrderTests
{
    private static readonly DateTimeOffset At = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);

    private static Order Create(OrderType type = OrderType.Market, TimeInForce tif = TimeInForce.Day, decimal? qty = 10m, decimal? notional = null, decimal? limit = null, decimal? stop = null) =>
        Order.Create(Guid.NewGuid(), Guid.NewGuid(), "client-1", " aapl ", OrderSide.Buy, type, tif, qty, notional, limit, stop, At);

    [Fact]
    public void New_order_is_pending_new_with_a_normalized_symbol()
    {
        var order = Create();

        Assert.Equal(OrderStatus.PendingNew, order.Status);
        Assert.Equal("AAPL", order.Symbol);
        Assert.Equal(0m, order.FilledQuantity);
    }

    [Theory]
    [InlineData(OrderType.Limit, null, null, "limit_price is required")]
    [InlineData(OrderType.Stop, null, null, "stop_price is required")]
    [InlineData(OrderType.StopLimit, 10.0, null, "stop_price is required")]
    [InlineData(OrderType.Market, 10.0, null, "limit_price is only allowed")]
    [InlineData(OrderType.Limit, -1.0, null, "must be positive")]
    public void Prices_must_match_the_order_type(OrderType type, double? limit, double? stop, string message)
    {
        var error = Assert.Throws<DomainException>(() => Create(type, limit: (decimal?)limit, stop: (decimal?)stop));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_one_of_quantity_and_notional()
    {
        Assert.Throws<DomainException>(() => Create(qty: null, notional: null));
        Assert.Throws<DomainException>(() => Create(qty: 1m, notional: 100m));
        Assert.Throws<DomainException>(() => Create(qty: null, notional: 100m, tif: TimeInForce.Gtc));
        Assert.Equal(100m, Create(qty: null, notional: 100m).Notional);
    }

    [Fact]
    public void Recording_fills_tracks_filled_quantity_and_weighted_average_and_refuses_overfill()
    {
        var order = Create(qty: 10m);

        order.RecordFill(Guid.NewGuid(), "e1", 4m, 100m, 0m, 0m, At);
        order.RecordFill(Guid.NewGuid(), "e2", 6m, 105m, 0m, 0m, At);

        Assert.Equal(10m, order.FilledQuantity);
        Assert.Equal(103m, order.AverageFillPrice);
        Assert.Throws<DomainException>(() => order.RecordFill(Guid.NewGuid(), "e3", 0.000000001m, 105m, 0m, 0m, At));
    }

    [Fact]
    public void A_stale_snapshot_never_reopens_a_terminal_order()
    {
        var order = Create();
        var brokerId = Guid.NewGuid();
        order.ApplyBrokerSnapshot(Snapshot(brokerId, OrderStatus.Canceled), At);

        order.ApplyBrokerSnapshot(Snapshot(brokerId, OrderStatus.New), At.AddSeconds(1));

        Assert.Equal(OrderStatus.Canceled, order.Status);
        Assert.Equal(brokerId, order.BrokerOrderId);
    }

    [Fact]
    public void Execution_ids_are_deterministic_and_ignore_trailing_zeros()
    {
        var id = Guid.Parse("7f0e1a52-0000-4000-8000-000000000001");

        Assert.Equal("7f0e1a52-0000-4000-8000-000000000001:10", Fill.ExecutionIdFor(id, 10.000000000m));
        Assert.Equal(Fill.ExecutionIdFor(id, 2.5m), Fill.ExecutionIdFor(id, 2.50m));
        Assert.NotEqual(Fill.ExecutionIdFor(id, 2.5m), Fill.ExecutionIdFor(id, 25m));
    }

    private static BrokerOrder Snapshot(Guid id, OrderStatus status) =>
        new(id, "client-1", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 10m, null, null, null, status, 0m, null, At, At, At, null, null, null, null);
}
