namespace StockGod.Trading.Brokerage.Alpaca;

// Trading API v2 bodies as documented in Alpaca's OpenAPI file (trading-api.json); property names map to the JSON
// through AlpacaJson's snake_case policy. Only the fields the platform uses are modelled. Enumerations stay strings
// because Alpaca sends values our vocabulary does not have ("trailing_stop", "held", "opg"); AlpacaMapping decides.

/// <summary>Body of <c>POST /v2/orders</c> (CreateOrderRequest).</summary>
internal sealed record AlpacaNewOrder(
    string Symbol,
    decimal? Qty,
    decimal? Notional,
    string Side,
    string Type,
    string TimeInForce,
    decimal? LimitPrice,
    decimal? StopPrice,
    string ClientOrderId);

/// <summary>The Order object.</summary>
internal sealed record AlpacaOrder(
    Guid Id,
    string ClientOrderId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? FilledAt,
    DateTimeOffset? ExpiredAt,
    DateTimeOffset? CanceledAt,
    DateTimeOffset? FailedAt,
    string Symbol,
    decimal? Notional,
    decimal? Qty,
    decimal FilledQty,
    decimal? FilledAvgPrice,
    string Type,
    string Side,
    string TimeInForce,
    decimal? LimitPrice,
    decimal? StopPrice,
    string Status);

/// <summary>The Position object (the fields the platform uses; the rest are ignored when reading).</summary>
internal sealed record AlpacaPosition(
    string Symbol,
    decimal Qty,
    decimal AvgEntryPrice,
    decimal? MarketValue,
    decimal CostBasis,
    decimal? UnrealizedPl,
    decimal? CurrentPrice);

/// <summary>The Account object (only the fields the platform uses; the rest are ignored when reading).</summary>
internal sealed record AlpacaAccount(
    string Id,
    string Status,
    string? Currency,
    decimal Cash,
    decimal BuyingPower,
    decimal? Equity,
    decimal? PortfolioValue,
    bool TradingBlocked);

internal sealed record AlpacaClock(DateTimeOffset Timestamp, bool IsOpen, DateTimeOffset NextOpen, DateTimeOffset NextClose);

/// <summary>A calendar day: <c>date</c> YYYY-MM-DD, <c>open</c>/<c>close</c> HH:MM New York time.</summary>
internal sealed record AlpacaCalendarDay(string Date, string Open, string Close);

/// <summary>Alpaca's error body: an 8-digit code whose first three digits are usually the HTTP status.</summary>
internal sealed record AlpacaError(int? Code, string? Message);
