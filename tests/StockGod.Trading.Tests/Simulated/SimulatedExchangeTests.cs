using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Tests.Persistence;

namespace StockGod.Trading.Tests.Simulated;

public sealed class SimulatedExchangeTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SubmitOrderRequest Market(OrderSide side, decimal quantity, string symbol = "AAPL", string? clientOrderId = null) =>
        new(clientOrderId ?? Guid.NewGuid().ToString("N"), symbol, side, OrderType.Market, TimeInForce.Day, quantity);

    private async Task<(SimulatedExchangeHarness Harness, IBrokerageGateway Exchange, Guid PortfolioId)> StartAsync(SimulatedExchangeOptions? options = null, decimal cash = 100_000m)
    {
        var harness = new SimulatedExchangeHarness(database, options);
        await using var db = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(db, cash);
        harness.Market.Set("AAPL", bid: 99.90m, ask: 100.10m, last: 100m);
        return (harness, harness.For(portfolio.Id), portfolio.Id);
    }

    [Fact]
    public async Task Market_buy_fills_at_the_ask_plus_slippage_and_moves_cash_and_position()
    {
        var (_, exchange, _) = await StartAsync(new SimulatedExchangeOptions { SlippageBasisPoints = 10m });

        var order = await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 10m), Ct);

        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(10m, order.FilledQuantity);
        Assert.Equal(100.2001m, order.AverageFillPrice);
        Assert.NotNull(order.FilledAt);
        var account = await exchange.GetAccountAsync(Ct);
        Assert.Equal(100_000m - 1002.001m, account.Cash);
        var position = Assert.Single(await exchange.ListPositionsAsync(Ct));
        Assert.Equal(10m, position.Quantity);
        Assert.Equal(100.2001m, position.AverageEntryPrice);
        Assert.Equal(1000m, position.MarketValue);
    }

    [Fact]
    public async Task Market_sell_fills_at_the_bid_and_closing_the_position_removes_it()
    {
        var (_, exchange, _) = await StartAsync();
        await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 10m), Ct);

        var sale = await exchange.SubmitOrderAsync(Market(OrderSide.Sell, 10m), Ct);

        Assert.Equal(99.90m, sale.AverageFillPrice);
        Assert.Empty(await exchange.ListPositionsAsync(Ct));
        Assert.Equal(100_000m - 1001m + 999m, (await exchange.GetAccountAsync(Ct)).Cash);
    }

    [Fact]
    public async Task Submitting_a_client_order_id_again_returns_the_existing_order_and_never_trades_twice()
    {
        var (_, exchange, _) = await StartAsync();
        var request = Market(OrderSide.Buy, 5m, clientOrderId: "same-id");

        var first = await exchange.SubmitOrderAsync(request, Ct);
        var second = await exchange.SubmitOrderAsync(request, Ct);

        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Single(await exchange.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All), Ct));
        Assert.Equal(5m, Assert.Single(await exchange.ListPositionsAsync(Ct)).Quantity);
    }

    [Fact]
    public async Task Limit_buy_rests_until_the_ask_reaches_the_limit_and_fills_at_the_ask_when_next_queried()
    {
        var (harness, exchange, _) = await StartAsync();

        var order = await exchange.SubmitOrderAsync(new SubmitOrderRequest("limit-1", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 10m, LimitPrice: 99m), Ct);
        Assert.Equal(OrderStatus.New, order.Status);
        harness.Market.Set("AAPL", bid: 99.05m, ask: 99.20m);
        Assert.Equal(OrderStatus.New, (await exchange.GetOrderAsync(order.OrderId, Ct))!.Status);

        harness.Market.Set("AAPL", bid: 98.70m, ask: 98.80m);
        var filled = await exchange.GetOrderByClientOrderIdAsync("limit-1", Ct);

        Assert.Equal(OrderStatus.Filled, filled!.Status);
        Assert.Equal(98.80m, filled.AverageFillPrice);
    }

    [Fact]
    public async Task Stop_sell_triggers_when_the_last_trade_crosses_the_stop_and_fills_at_the_bid()
    {
        var (harness, exchange, _) = await StartAsync();
        await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 10m), Ct);
        var stop = await exchange.SubmitOrderAsync(new SubmitOrderRequest("stop-1", "AAPL", OrderSide.Sell, OrderType.Stop, TimeInForce.Gtc, 10m, StopPrice: 95m), Ct);
        Assert.Equal(OrderStatus.New, stop.Status);

        harness.Market.Set("AAPL", bid: 94.50m, ask: 94.70m, last: 94.60m);
        var triggered = await exchange.GetOrderAsync(stop.OrderId, Ct);

        Assert.Equal(OrderStatus.Filled, triggered!.Status);
        Assert.Equal(94.50m, triggered.AverageFillPrice);
    }

    [Fact]
    public async Task Stop_limit_triggers_then_waits_for_its_limit()
    {
        var (harness, exchange, _) = await StartAsync();
        var order = await exchange.SubmitOrderAsync(new SubmitOrderRequest("sl-1", "AAPL", OrderSide.Buy, OrderType.StopLimit, TimeInForce.Gtc, 1m, LimitPrice: 105m, StopPrice: 104m), Ct);

        harness.Market.Set("AAPL", bid: 105.80m, ask: 106m, last: 105.90m);
        Assert.Equal(OrderStatus.New, (await exchange.GetOrderAsync(order.OrderId, Ct))!.Status);

        harness.Market.Set("AAPL", bid: 104.80m, ask: 104.90m, last: 104.85m);
        var filled = await exchange.GetOrderAsync(order.OrderId, Ct);

        Assert.Equal(OrderStatus.Filled, filled!.Status);
        Assert.Equal(104.90m, filled.AverageFillPrice);
    }

    [Fact]
    public async Task Partial_fills_go_through_partially_filled_with_a_weighted_average()
    {
        var (harness, exchange, _) = await StartAsync(new SimulatedExchangeOptions { MaxFillQuantityPerEvaluation = 4m });

        var order = await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 10m), Ct);
        Assert.Equal((OrderStatus.PartiallyFilled, 4m), (order.Status, order.FilledQuantity));

        harness.Market.Set("AAPL", bid: 101.90m, ask: 102.10m);
        var second = await exchange.GetOrderAsync(order.OrderId, Ct);
        Assert.Equal((OrderStatus.PartiallyFilled, 8m), (second!.Status, second.FilledQuantity));
        Assert.Equal(101.10m, second.AverageFillPrice);

        var third = await exchange.GetOrderAsync(order.OrderId, Ct);
        Assert.Equal((OrderStatus.Filled, 10m), (third!.Status, third.FilledQuantity));
        Assert.Equal(101.3m, third.AverageFillPrice);
    }

    [Fact]
    public async Task Day_orders_expire_at_the_session_close_without_filling_on_later_quotes()
    {
        var (harness, exchange, _) = await StartAsync(new SimulatedExchangeOptions { AlwaysOpen = false });
        var order = await exchange.SubmitOrderAsync(new SubmitOrderRequest("day-1", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Day, 10m, LimitPrice: 90m), Ct);

        harness.Time.SetUtcNow(new DateTimeOffset(2024, 3, 4, 21, 30, 0, TimeSpan.Zero)); // 16:30 New York
        harness.Market.Set("AAPL", bid: 85m, ask: 85.10m);
        var expired = await exchange.GetOrderAsync(order.OrderId, Ct);

        Assert.Equal(OrderStatus.Expired, expired!.Status);
        Assert.Equal(new DateTimeOffset(2024, 3, 4, 21, 0, 0, TimeSpan.Zero), expired.ExpiredAt);
        Assert.Equal(0m, expired.FilledQuantity);
    }

    [Fact]
    public async Task Refusals_use_alpacas_reasons_and_leave_no_order()
    {
        var (harness, exchange, _) = await StartAsync(new SimulatedExchangeOptions { AlwaysOpen = false }, cash: 1_000m);

        var buyingPower = await Assert.ThrowsAsync<InsufficientBuyingPowerException>(() => exchange.SubmitOrderAsync(Market(OrderSide.Buy, 10m), Ct));
        Assert.Contains("insufficient buying power", buyingPower.Message, StringComparison.Ordinal);
        var shares = await Assert.ThrowsAsync<InsufficientSharesException>(() => exchange.SubmitOrderAsync(Market(OrderSide.Sell, 1m), Ct));
        Assert.Contains("insufficient qty available for order (requested: 1, available: 0)", shares.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<InvalidOrderException>(() => exchange.SubmitOrderAsync(Market(OrderSide.Buy, 1m, symbol: "NOPE"), Ct));
        Assert.Contains("asset \"NOPE\" not found", unknown.Message, StringComparison.Ordinal);

        harness.Time.SetUtcNow(new DateTimeOffset(2024, 3, 9, 15, 0, 0, TimeSpan.Zero)); // a Saturday
        await Assert.ThrowsAsync<MarketClosedException>(() => exchange.SubmitOrderAsync(Market(OrderSide.Buy, 1m), Ct));
        var resting = await exchange.SubmitOrderAsync(new SubmitOrderRequest("weekend-limit", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 1m, LimitPrice: 200m), Ct);
        Assert.Equal(OrderStatus.New, resting.Status);

        Assert.Single(await exchange.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All), Ct));
    }

    [Fact]
    public async Task Open_orders_hold_back_buying_power_and_shares()
    {
        var (_, exchange, _) = await StartAsync(cash: 10_000m);
        await exchange.SubmitOrderAsync(new SubmitOrderRequest("rest-buy", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 60m, LimitPrice: 90m), Ct);

        Assert.Equal(10_000m - 5_400m, (await exchange.GetAccountAsync(Ct)).BuyingPower);
        await Assert.ThrowsAsync<InsufficientBuyingPowerException>(() => exchange.SubmitOrderAsync(Market(OrderSide.Buy, 46m), Ct));

        await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 40m), Ct);
        await exchange.SubmitOrderAsync(new SubmitOrderRequest("rest-sell", "AAPL", OrderSide.Sell, OrderType.Limit, TimeInForce.Gtc, 30m, LimitPrice: 150m), Ct);
        await Assert.ThrowsAsync<InsufficientSharesException>(() => exchange.SubmitOrderAsync(Market(OrderSide.Sell, 11m), Ct));
    }

    [Fact]
    public async Task A_submission_fills_a_resting_order_in_another_symbol_at_that_symbols_quote()
    {
        var (harness, exchange, _) = await StartAsync();
        harness.Market.Set("MSFT", bid: 409.90m, ask: 410.10m);
        await exchange.SubmitOrderAsync(new SubmitOrderRequest("rest-msft", "MSFT", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 2m, LimitPrice: 400m), Ct);
        harness.Market.Set("MSFT", bid: 399.40m, ask: 399.50m);

        var aapl = await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 1m), Ct);
        harness.Market.Set("MSFT", bid: 409.90m, ask: 410.10m); // out of reach again: only the submission can have filled it

        var msft = await exchange.GetOrderByClientOrderIdAsync("rest-msft", Ct);
        Assert.Equal(OrderStatus.Filled, aapl.Status);
        Assert.Equal((OrderStatus.Filled, 399.50m), (msft!.Status, msft.AverageFillPrice));
        var account = await exchange.GetAccountAsync(Ct);
        Assert.Equal(100_000m - 100.10m - 799m, account.Cash);
        Assert.Equal(account.Cash, account.BuyingPower); // nothing open holds cash back any more
    }

    [Fact]
    public async Task Cancel_ends_an_open_order_and_refuses_a_finished_one()
    {
        var (_, exchange, _) = await StartAsync();
        var resting = await exchange.SubmitOrderAsync(new SubmitOrderRequest("c-1", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 1m, LimitPrice: 50m), Ct);

        await exchange.CancelOrderAsync(resting.OrderId, Ct);

        Assert.Equal(OrderStatus.Canceled, (await exchange.GetOrderAsync(resting.OrderId, Ct))!.Status);
        await Assert.ThrowsAsync<OrderNotCancelableException>(() => exchange.CancelOrderAsync(resting.OrderId, Ct));
        await Assert.ThrowsAsync<BrokerageNotFoundException>(() => exchange.CancelOrderAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Fill_or_kill_and_immediate_or_cancel_never_rest()
    {
        var (_, exchange, _) = await StartAsync(new SimulatedExchangeOptions { MaxFillQuantityPerEvaluation = 4m });

        var fok = await exchange.SubmitOrderAsync(new SubmitOrderRequest("fok", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Fok, 10m), Ct);
        var ioc = await exchange.SubmitOrderAsync(new SubmitOrderRequest("ioc", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Ioc, 10m), Ct);
        var unmarketableIoc = await exchange.SubmitOrderAsync(new SubmitOrderRequest("ioc-2", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Ioc, 10m, LimitPrice: 50m), Ct);

        Assert.Equal((OrderStatus.Canceled, 0m), (fok.Status, fok.FilledQuantity));
        Assert.Equal((OrderStatus.Canceled, 4m), (ioc.Status, ioc.FilledQuantity));
        Assert.Equal((OrderStatus.Canceled, 0m), (unmarketableIoc.Status, unmarketableIoc.FilledQuantity));
    }

    [Fact]
    public async Task With_latency_an_order_fills_only_after_the_latency_has_passed()
    {
        var (harness, exchange, _) = await StartAsync(new SimulatedExchangeOptions { FillLatency = TimeSpan.FromSeconds(2) });

        var order = await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 1m), Ct);
        Assert.Equal(OrderStatus.New, order.Status);
        harness.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(OrderStatus.Filled, (await exchange.GetOrderAsync(order.OrderId, Ct))!.Status);
    }

    [Fact]
    public async Task State_survives_a_restart_and_lists_filter_like_alpaca()
    {
        var (harness, exchange, portfolioId) = await StartAsync();
        await exchange.SubmitOrderAsync(Market(OrderSide.Buy, 3m), Ct);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var resting = await exchange.SubmitOrderAsync(new SubmitOrderRequest("r-1", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 1m, LimitPrice: 50m), Ct);

        var restarted = harness.CreateFactory(database).For(portfolioId, TradingMode.Simulated);

        Assert.Equal(3m, Assert.Single(await restarted.ListPositionsAsync(Ct)).Quantity);
        Assert.Equal(resting.OrderId, Assert.Single(await restarted.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.Open), Ct)).OrderId);
        Assert.Equal(OrderStatus.Filled, Assert.Single(await restarted.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.Closed), Ct)).Status);
        var newestFirst = await restarted.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All), Ct);
        Assert.Equal(resting.OrderId, newestFirst[0].OrderId);
        Assert.Single(await restarted.ListOrdersAsync(new ListOrdersRequest(OrderListStatus.All, After: resting.CreatedAt.AddSeconds(-1)), Ct));
    }

    [Fact]
    public async Task Clock_follows_the_nyse_unless_always_open()
    {
        var (harness, nyse, _) = await StartAsync(new SimulatedExchangeOptions { AlwaysOpen = false });
        harness.Time.SetUtcNow(new DateTimeOffset(2024, 3, 9, 15, 0, 0, TimeSpan.Zero));

        var clock = await nyse.GetClockAsync(Ct);

        Assert.False(clock.IsOpen);
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 13, 30, 0, TimeSpan.Zero), clock.NextOpen);
        var days = await nyse.ListCalendarAsync(new DateOnly(2024, 3, 28), new DateOnly(2024, 4, 1), Ct);
        Assert.Equal([new DateOnly(2024, 3, 28), new DateOnly(2024, 4, 1)], days.Select(d => d.Date));
        Assert.Equal(new TimeOnly(16, 0), days[0].Close);

        var (alwaysHarness, alwaysOpen, _) = await StartAsync();
        alwaysHarness.Time.SetUtcNow(new DateTimeOffset(2024, 3, 9, 15, 0, 0, TimeSpan.Zero));
        Assert.True((await alwaysOpen.GetClockAsync(Ct)).IsOpen);
    }
}
