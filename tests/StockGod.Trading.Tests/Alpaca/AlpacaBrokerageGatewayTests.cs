using Microsoft.Extensions.Time.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>Every gateway method against the fake Alpaca, over HTTP.</summary>
public sealed class AlpacaBrokerageGatewayTests : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(AlpacaTestHost.MarketOpenMonday);
    private FakeAlpacaServer _alpaca = null!;
    private AlpacaTestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _alpaca = await FakeAlpacaServer.StartAsync(_time, TestContext.Current.CancellationToken);
        _host = AlpacaTestHost.Create(_alpaca);
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _alpaca.DisposeAsync();
    }

    [Fact]
    public async Task Submitted_order_arrives_with_its_client_order_id_and_comes_back_as_alpaca_reports_it()
    {
        var request = new SubmitOrderRequest("cid-limit-1", "MSFT", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 5m, LimitPrice: 412.5m);

        var order = await _host.Paper.SubmitOrderAsync(request, Cancel);

        var stored = Assert.Single(_alpaca.Brokerage.Orders);
        Assert.Equal(stored.Id, order.OrderId);
        Assert.Equal(("cid-limit-1", "MSFT", "buy", "limit", "gtc", 5m, 412.5m), (stored.ClientOrderId, stored.Symbol, stored.Side, stored.Type, stored.TimeInForce, stored.Qty, stored.LimitPrice));
        Assert.Equal(OrderStatus.New, order.Status); // the market is open at the fake's time
        Assert.Equal((5m, 412.5m, 0m), (order.Quantity!.Value, order.LimitPrice!.Value, order.FilledQuantity));
        Assert.Equal(_time.GetUtcNow(), order.SubmittedAt);
    }

    [Fact]
    public async Task Order_sent_outside_market_hours_is_accepted_and_waits_for_the_open()
    {
        _time.SetUtcNow(new DateTimeOffset(2026, 1, 10, 15, 0, 0, TimeSpan.Zero)); // Saturday

        var order = await _host.Paper.SubmitOrderAsync(new SubmitOrderRequest("cid-weekend", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 1m), Cancel);

        Assert.Equal(OrderStatus.Accepted, order.Status);
    }

    [Fact]
    public async Task Orders_are_found_by_id_and_by_client_order_id_and_unknown_ones_are_null()
    {
        var placed = _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 3m, clientOrderId: "cid/with spaces&symbols");

        var byId = await _host.Paper.GetOrderAsync(placed.Id, Cancel);
        var byClientId = await _host.Paper.GetOrderByClientOrderIdAsync("cid/with spaces&symbols", Cancel);

        Assert.Equal(placed.Id, byId?.OrderId);
        Assert.Equal(placed.Id, byClientId?.OrderId);
        Assert.Null(await _host.Paper.GetOrderAsync(Guid.NewGuid(), Cancel));
        Assert.Null(await _host.Paper.GetOrderByClientOrderIdAsync("never-sent", Cancel));
    }

    [Fact]
    public async Task Fills_show_in_the_order_positions_and_account()
    {
        _alpaca.Brokerage.Cash = 10_000m;
        var order = await _host.Paper.SubmitOrderAsync(new SubmitOrderRequest("cid-fill", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 10m), Cancel);

        _alpaca.Brokerage.Fill(order.OrderId, 190.10m, qty: 4m);
        var partial = await _host.Paper.GetOrderAsync(order.OrderId, Cancel);
        _time.Advance(TimeSpan.FromSeconds(1));
        _alpaca.Brokerage.Fill(order.OrderId, 190.35m);
        var filled = await _host.Paper.GetOrderAsync(order.OrderId, Cancel);
        _alpaca.Brokerage.SetPrice("AAPL", 191m);
        var positions = await _host.Paper.ListPositionsAsync(Cancel);
        var account = await _host.Paper.GetAccountAsync(Cancel);

        Assert.Equal((OrderStatus.PartiallyFilled, 4m, 190.10m), (partial!.Status, partial.FilledQuantity, partial.AverageFillPrice!.Value));
        Assert.Equal((OrderStatus.Filled, 10m, 190.25m), (filled!.Status, filled.FilledQuantity, filled.AverageFillPrice!.Value));
        Assert.Equal(_time.GetUtcNow(), filled.FilledAt);
        var position = Assert.Single(positions);
        Assert.Equal(new BrokerPosition("AAPL", 10m, 190.25m, 1902.50m, 1910m, 191m, 7.50m), position);
        Assert.Equal(10_000m - 1902.50m, account.Cash);
        Assert.Equal(10_000m - 1902.50m + 1910m, account.Equity);
        Assert.Equal(_alpaca.Brokerage.AccountId.ToString(), account.AccountId);
    }

    [Fact]
    public async Task Cancel_ends_an_open_order_and_a_second_cancel_is_not_cancelable()
    {
        var placed = _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 1m, "limit", "gtc", limitPrice: 100m);

        await _host.Paper.CancelOrderAsync(placed.Id, Cancel);

        Assert.Equal("canceled", _alpaca.Brokerage.FindOrder(placed.Id)!.Status);
        Assert.Equal(OrderStatus.Canceled, (await _host.Paper.GetOrderAsync(placed.Id, Cancel))!.Status);
        await Assert.ThrowsAsync<OrderNotCancelableException>(() => _host.Paper.CancelOrderAsync(placed.Id, Cancel));
        await Assert.ThrowsAsync<BrokerageNotFoundException>(() => _host.Paper.CancelOrderAsync(Guid.NewGuid(), Cancel));
    }

    [Fact]
    public async Task Listing_filters_by_status_symbols_and_exclusive_time_bounds()
    {
        var first = _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 1m);
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = _alpaca.Brokerage.PlaceOrder("MSFT", "buy", 1m);
        _time.Advance(TimeSpan.FromMinutes(1));
        var third = _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 1m);
        _alpaca.Brokerage.Fill(third.Id, 100m);

        var open = await _host.Paper.ListOrdersAsync(new ListOrdersRequest(), Cancel);
        var closed = await _host.Paper.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.Closed), Cancel);
        var apple = await _host.Paper.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All, Symbols: ["AAPL"], Ascending: true), Cancel);
        var between = await _host.Paper.ListOrdersAsync(
            new ListOrdersRequest(OrderListStatus.All, After: first.SubmittedAt, Until: third.SubmittedAt), Cancel);

        Assert.Equal([second.Id, first.Id], open.Select(o => o.OrderId));
        Assert.Equal([third.Id], closed.Select(o => o.OrderId));
        Assert.Equal([first.Id, third.Id], apple.Select(o => o.OrderId));
        Assert.Equal([second.Id], between.Select(o => o.OrderId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Listing_more_orders_than_a_page_holds_pages_through_all_of_them_once(bool ascending)
    {
        _alpaca.RateLimit = 10_000;
        var placed = new List<Guid>();
        for (var i = 0; i < 1_203; i++)
        {
            placed.Add(_alpaca.Brokerage.PlaceOrder("AAPL", "buy", 1m).Id);
            if (i % 3 == 2)
            {
                _time.Advance(TimeSpan.FromTicks(1)); // three orders share each timestamp, so page edges fall inside ties
            }
        }

        var orders = await _host.Paper.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All, Limit: 5_000, Ascending: ascending), Cancel);

        Assert.Equal(ascending ? placed : Enumerable.Reverse(placed), orders.Select(o => o.OrderId));
        Assert.All(_alpaca.Requests.Where(r => r.Path == "/v2/orders"), r => Assert.Contains("limit=500", r.Query, StringComparison.Ordinal));
        Assert.True(_alpaca.CountRequests("GET", "/v2/orders") >= 3);
    }

    [Fact]
    public async Task Listing_stops_at_the_limit()
    {
        for (var i = 0; i < 30; i++)
        {
            _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 1m);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var orders = await _host.Paper.ListOrdersAsync(new ListOrdersRequest(Limit: 7), Cancel);

        Assert.Equal(_alpaca.Brokerage.Orders.Reverse().Take(7).Select(o => o.Id), orders.Select(o => o.OrderId));
        Assert.Equal(1, _alpaca.CountRequests("GET", "/v2/orders"));
    }

    [Fact]
    public async Task Clock_and_calendar_come_from_alpaca()
    {
        _alpaca.Brokerage.SetCalendar(
        [
            new(new DateOnly(2026, 11, 25), new TimeOnly(9, 30), new TimeOnly(16, 0)),
            new(new DateOnly(2026, 11, 27), new TimeOnly(9, 30), new TimeOnly(13, 0)),
            new(new DateOnly(2026, 11, 30), new TimeOnly(9, 30), new TimeOnly(16, 0)),
        ]);
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero)); // Thanksgiving

        var clock = await _host.Paper.GetClockAsync(Cancel);
        var calendar = await _host.Paper.ListCalendarAsync(new DateOnly(2026, 11, 26), new DateOnly(2026, 11, 27), Cancel);

        Assert.False(clock.IsOpen);
        Assert.Equal(_time.GetUtcNow(), clock.Timestamp);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.FromHours(-5)), clock.NextOpen);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 13, 0, 0, TimeSpan.FromHours(-5)), clock.NextClose);
        Assert.Equal([new CalendarDay(new DateOnly(2026, 11, 27), new TimeOnly(9, 30), new TimeOnly(13, 0))], calendar);
        Assert.Contains(_alpaca.Requests, r => r.Path == "/v2/calendar" && r.Query == "?start=2026-11-26&end=2026-11-27");
    }
}
