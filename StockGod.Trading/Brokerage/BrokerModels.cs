using System.Text.Json.Serialization;

namespace StockGod.Trading.Brokerage;

// The broker vocabulary mirrors Alpaca's Trading API v2 (and the Alpaca.Markets SDK), so the simulated exchange and
// Alpaca look the same to the code that trades, polls and reconciles.

/// <summary>Where a portfolio's orders go.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TradingMode>))]
public enum TradingMode
{
    [JsonStringEnumMemberName("simulated")] Simulated,
    [JsonStringEnumMemberName("paper")] Paper,
    [JsonStringEnumMemberName("live")] Live,
}

[JsonConverter(typeof(JsonStringEnumConverter<OrderSide>))]
public enum OrderSide
{
    [JsonStringEnumMemberName("buy")] Buy,
    [JsonStringEnumMemberName("sell")] Sell,
}

[JsonConverter(typeof(JsonStringEnumConverter<OrderType>))]
public enum OrderType
{
    [JsonStringEnumMemberName("market")] Market,
    [JsonStringEnumMemberName("limit")] Limit,
    [JsonStringEnumMemberName("stop")] Stop,
    [JsonStringEnumMemberName("stop_limit")] StopLimit,
}

[JsonConverter(typeof(JsonStringEnumConverter<TimeInForce>))]
public enum TimeInForce
{
    [JsonStringEnumMemberName("day")] Day,
    [JsonStringEnumMemberName("gtc")] Gtc,
    [JsonStringEnumMemberName("ioc")] Ioc,
    [JsonStringEnumMemberName("fok")] Fok,
}

/// <summary>Alpaca's order lifecycle (docs "Order Lifecycle").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    [JsonStringEnumMemberName("pending_new")] PendingNew,
    [JsonStringEnumMemberName("accepted")] Accepted,
    [JsonStringEnumMemberName("new")] New,
    [JsonStringEnumMemberName("partially_filled")] PartiallyFilled,
    [JsonStringEnumMemberName("filled")] Filled,
    [JsonStringEnumMemberName("done_for_day")] DoneForDay,
    [JsonStringEnumMemberName("canceled")] Canceled,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("replaced")] Replaced,
    [JsonStringEnumMemberName("pending_cancel")] PendingCancel,
    [JsonStringEnumMemberName("pending_replace")] PendingReplace,
    [JsonStringEnumMemberName("accepted_for_bidding")] AcceptedForBidding,
    [JsonStringEnumMemberName("stopped")] Stopped,
    [JsonStringEnumMemberName("rejected")] Rejected,
    [JsonStringEnumMemberName("suspended")] Suspended,
    [JsonStringEnumMemberName("calculated")] Calculated,
}

public static class OrderStatusExtensions
{
    /// <summary>True while the order can still fill (the statuses Alpaca's <c>status=open</c> lists).</summary>
    public static bool IsOpen(this OrderStatus status) => status is
        OrderStatus.PendingNew or OrderStatus.Accepted or OrderStatus.New or OrderStatus.PartiallyFilled
        or OrderStatus.DoneForDay or OrderStatus.PendingCancel or OrderStatus.PendingReplace
        or OrderStatus.AcceptedForBidding or OrderStatus.Stopped or OrderStatus.Suspended or OrderStatus.Calculated;

    /// <summary>Every status for which <see cref="IsOpen"/> holds, for queries (<c>OpenStatuses.Contains(o.Status)</c>).</summary>
    public static IReadOnlyList<OrderStatus> OpenStatuses { get; } = [.. Enum.GetValues<OrderStatus>().Where(s => s.IsOpen())];

    /// <summary>True once nothing more can happen to the order.</summary>
    public static bool IsTerminal(this OrderStatus status) => !status.IsOpen();
}

/// <summary>An order to send. Exactly one of <see cref="Quantity"/> and <see cref="Notional"/> is set.</summary>
public sealed record SubmitOrderRequest(
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    decimal? Quantity,
    decimal? Notional = null,
    decimal? LimitPrice = null,
    decimal? StopPrice = null);

/// <summary>An order as the broker reports it.</summary>
public sealed record BrokerOrder(
    Guid OrderId,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    decimal? Quantity,
    decimal? Notional,
    decimal? LimitPrice,
    decimal? StopPrice,
    OrderStatus Status,
    decimal FilledQuantity,
    decimal? AverageFillPrice,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? FilledAt,
    DateTimeOffset? CanceledAt,
    DateTimeOffset? ExpiredAt,
    DateTimeOffset? FailedAt);

/// <summary>A position as the broker reports it. Quantity is negative for a short.</summary>
public sealed record BrokerPosition(
    string Symbol,
    decimal Quantity,
    decimal AverageEntryPrice,
    decimal CostBasis,
    decimal? MarketValue,
    decimal? CurrentPrice,
    decimal? UnrealizedProfitLoss);

public sealed record BrokerAccount(
    string AccountId,
    string Status,
    string Currency,
    decimal Cash,
    decimal BuyingPower,
    decimal Equity,
    decimal PortfolioValue,
    bool TradingBlocked);

/// <summary>An account's positions and the account itself, as of one moment.</summary>
public sealed record BrokerHoldings(IReadOnlyList<BrokerPosition> Positions, BrokerAccount Account);

public sealed record MarketClock(DateTimeOffset Timestamp, bool IsOpen, DateTimeOffset NextOpen, DateTimeOffset NextClose);

/// <summary>One day of the broker's trading calendar; open and close are New York wall-clock times.</summary>
public sealed record CalendarDay(DateOnly Date, TimeOnly Open, TimeOnly Close);

public enum OrderListStatus
{
    Open,
    Closed,
    All,
}

/// <summary>Filters of <c>GET /v2/orders</c>. <c>After</c> and <c>Until</c> are exclusive and compare submission time.</summary>
public sealed record ListOrdersRequest(
    OrderListStatus Status = OrderListStatus.Open,
    DateTimeOffset? After = null,
    DateTimeOffset? Until = null,
    int Limit = 500,
    bool Ascending = false,
    IReadOnlyCollection<string>? Symbols = null);
