using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Orders;

namespace StockGod.Api.Apis;

/// <summary>Filters and paging of the order list. Status uses Alpaca's names (e.g. <c>partially_filled</c>).</summary>
public sealed record ListOrdersQuery(
    [property: FromQuery(Name = "status")] string? Status,
    [property: FromQuery(Name = "symbol")] string? Symbol,
    [property: FromQuery(Name = "from")] DateTimeOffset? From,
    [property: FromQuery(Name = "to")] DateTimeOffset? To,
    [property: FromQuery(Name = "cursor")] string? Cursor,
    [property: FromQuery(Name = "limit")] int? Limit) : IValidatableRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public OrderStatus? ParsedStatus => Status is null ? null : TryParseStatus(Status);

    public PageCursor? ParsedCursor => Cursor is null ? null : PageCursor.TryParse(Cursor);

    public void Validate(ValidationErrors errors)
    {
        if (Status is not null && TryParseStatus(Status) is null)
        {
            errors.Add("status", "must be an order status such as new, partially_filled, filled or canceled.");
        }

        errors.Symbol("symbol", Symbol);
        errors.Range("limit", Limit, 1, MaxLimit);
        if (From is not null && To is not null && From > To)
        {
            errors.Add("from", "must not be after 'to'.");
        }

        if (Cursor is not null && PageCursor.TryParse(Cursor) is null)
        {
            errors.Add("cursor", "is not a cursor returned by this endpoint.");
        }
    }

    private static OrderStatus? TryParseStatus(string value)
    {
        if (value.Length is 0 or > 32 || !value.All(c => char.IsAsciiLetterLower(c) || c == '_'))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<OrderStatus>($"\"{value}\"");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record OrderResponse(
    Guid Id,
    string ClientOrderId,
    Guid? BrokerOrderId,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    decimal? Qty,
    decimal? Notional,
    decimal? LimitPrice,
    decimal? StopPrice,
    OrderStatus Status,
    decimal FilledQty,
    decimal? FilledAvgPrice,
    string? RejectReason,
    Guid? StrategyId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? FilledAt,
    DateTimeOffset? CanceledAt)
{
    public static OrderResponse From(Order o) => new(
        o.Id, o.ClientOrderId, o.BrokerOrderId, o.Symbol, o.Side, o.Type, o.TimeInForce, o.Quantity, o.Notional, o.LimitPrice, o.StopPrice,
        o.Status, o.FilledQuantity, o.AverageFillPrice, o.RejectReason, o.StrategyId, o.CreatedAt, o.UpdatedAt, o.SubmittedAt, o.FilledAt, o.CanceledAt);
}

public sealed record OrderPage(IReadOnlyList<OrderResponse> Orders, string? NextCursor);

/// <summary>A hand-placed order, in Alpaca's vocabulary. Exactly one of qty and notional; prices as the type requires.</summary>
public sealed record PlaceOrderRequest(
    string? Symbol,
    OrderSide? Side,
    OrderType? Type,
    TimeInForce? TimeInForce,
    decimal? Qty,
    decimal? Notional,
    decimal? LimitPrice,
    decimal? StopPrice,
    string? ClientOrderId) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("symbol", Symbol))
        {
            errors.Symbol("symbol", Symbol);
        }

        errors.Required("side", Side);
        errors.Required("type", Type);
        if (Qty is null == Notional is null)
        {
            errors.Add("qty", "exactly one of qty and notional is required.");
        }

        errors.Quantity("qty", Qty);
        errors.Amount("notional", Notional);
        if (Notional is not null && (Type != OrderType.Market || (TimeInForce ?? Trading.Brokerage.TimeInForce.Day) != Trading.Brokerage.TimeInForce.Day))
        {
            errors.Add("notional", "is only allowed on market orders with time_in_force day.");
        }

        var needsLimit = Type is OrderType.Limit or OrderType.StopLimit;
        var needsStop = Type is OrderType.Stop or OrderType.StopLimit;
        if (Type is not null && needsLimit != LimitPrice.HasValue)
        {
            errors.Add("limit_price", needsLimit ? "is required for limit and stop_limit orders." : "is only allowed on limit and stop_limit orders.");
        }

        if (Type is not null && needsStop != StopPrice.HasValue)
        {
            errors.Add("stop_price", needsStop ? "is required for stop and stop_limit orders." : "is only allowed on stop and stop_limit orders.");
        }

        errors.Amount("limit_price", LimitPrice);
        errors.Amount("stop_price", StopPrice);
        errors.Length("client_order_id", ClientOrderId, 1, Order.MaxClientOrderIdLength);
    }
}
