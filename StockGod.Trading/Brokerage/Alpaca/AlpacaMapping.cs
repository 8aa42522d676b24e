using System.Globalization;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>Translates between Alpaca's wire strings and the broker vocabulary of <see cref="IBrokerageGateway"/>.</summary>
internal static class AlpacaMapping
{
    public static AlpacaNewOrder ToAlpaca(SubmitOrderRequest request) => new(
        request.Symbol,
        request.Quantity,
        request.Notional,
        request.Side == OrderSide.Buy ? "buy" : "sell",
        request.Type switch
        {
            OrderType.Market => "market",
            OrderType.Limit => "limit",
            OrderType.Stop => "stop",
            OrderType.StopLimit => "stop_limit",
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Type, "Unknown order type."),
        },
        request.TimeInForce switch
        {
            TimeInForce.Day => "day",
            TimeInForce.Gtc => "gtc",
            TimeInForce.Ioc => "ioc",
            TimeInForce.Fok => "fok",
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.TimeInForce, "Unknown time in force."),
        },
        request.LimitPrice,
        request.StopPrice,
        request.ClientOrderId);

    public static BrokerOrder ToBrokerOrder(AlpacaOrder order) => new(
        order.Id,
        order.ClientOrderId,
        order.Symbol,
        order.Side == "sell" ? OrderSide.Sell : OrderSide.Buy,
        ToOrderType(order.Type),
        ToTimeInForce(order.TimeInForce),
        order.Qty,
        order.Notional,
        order.LimitPrice,
        order.StopPrice,
        ToOrderStatus(order.Status),
        order.FilledQty,
        order.FilledAvgPrice,
        order.CreatedAt,
        order.UpdatedAt,
        order.SubmittedAt,
        order.FilledAt,
        order.CanceledAt,
        order.ExpiredAt,
        order.FailedAt);

    public static BrokerPosition ToBrokerPosition(AlpacaPosition position) => new(
        position.Symbol,
        position.Qty,
        position.AvgEntryPrice,
        position.CostBasis,
        position.MarketValue,
        position.CurrentPrice,
        position.UnrealizedPl);

    public static BrokerAccount ToBrokerAccount(AlpacaAccount account) => new(
        account.Id,
        account.Status,
        account.Currency ?? "USD",
        account.Cash,
        account.BuyingPower,
        account.Equity ?? account.PortfolioValue ?? account.Cash,
        account.PortfolioValue ?? account.Equity ?? account.Cash,
        account.TradingBlocked);

    public static MarketClock ToMarketClock(AlpacaClock clock) =>
        new(clock.Timestamp, clock.IsOpen, clock.NextOpen, clock.NextClose);

    public static CalendarDay ToCalendarDay(AlpacaCalendarDay day) => new(
        DateOnly.ParseExact(day.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        ParseTime(day.Open),
        ParseTime(day.Close));

    // Alpaca documents HH:MM for open/close (and HHMM for the session fields); the SDK accepts both, so do we.
    private static TimeOnly ParseTime(string text) =>
        TimeOnly.ParseExact(text, ["HH:mm", "HHmm"], CultureInfo.InvariantCulture);

    // A trailing stop is a stop whose price follows the market; opg/cls are single-auction day orders.
    private static OrderType ToOrderType(string type) => type switch
    {
        "market" => OrderType.Market,
        "limit" => OrderType.Limit,
        "stop" or "trailing_stop" => OrderType.Stop,
        "stop_limit" => OrderType.StopLimit,
        _ => throw new BrokerageException($"Alpaca returned an unknown order type '{type}'."),
    };

    private static TimeInForce ToTimeInForce(string timeInForce) => timeInForce switch
    {
        "day" or "opg" or "cls" => TimeInForce.Day,
        "gtc" => TimeInForce.Gtc,
        "ioc" => TimeInForce.Ioc,
        "fok" => TimeInForce.Fok,
        _ => throw new BrokerageException($"Alpaca returned an unknown time in force '{timeInForce}'."),
    };

    // "held" (an untriggered bracket/OTO leg) is received but not yet working, like "accepted".
    private static OrderStatus ToOrderStatus(string status) => status switch
    {
        "pending_new" => OrderStatus.PendingNew,
        "accepted" or "held" => OrderStatus.Accepted,
        "new" => OrderStatus.New,
        "partially_filled" => OrderStatus.PartiallyFilled,
        "filled" => OrderStatus.Filled,
        "done_for_day" => OrderStatus.DoneForDay,
        "canceled" => OrderStatus.Canceled,
        "expired" => OrderStatus.Expired,
        "replaced" => OrderStatus.Replaced,
        "pending_cancel" => OrderStatus.PendingCancel,
        "pending_replace" => OrderStatus.PendingReplace,
        "accepted_for_bidding" => OrderStatus.AcceptedForBidding,
        "stopped" => OrderStatus.Stopped,
        "rejected" => OrderStatus.Rejected,
        "suspended" => OrderStatus.Suspended,
        "calculated" => OrderStatus.Calculated,
        _ => throw new BrokerageException($"Alpaca returned an unknown order status '{status}'."),
    };
}
