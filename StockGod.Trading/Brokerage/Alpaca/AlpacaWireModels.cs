namespace StockGod.Trading.Brokerage.Alpaca;

// Trading API v2 bodies as documented in Alpaca's OpenAPI file (trading-api.json); property names map to the JSON
// through AlpacaJson's snake_case policy. Enumerations stay strings here because Alpaca sends values our vocabulary
// does not have ("" order_class, "trailing_stop", "held", "opg"); AlpacaMapping decides what they mean.

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
    string? AssetClass,
    decimal? Notional,
    decimal? Qty,
    decimal FilledQty,
    decimal? FilledAvgPrice,
    string? OrderClass,
    string Type,
    string Side,
    string TimeInForce,
    decimal? LimitPrice,
    decimal? StopPrice,
    string Status,
    bool ExtendedHours);

/// <summary>The Position object.</summary>
internal sealed record AlpacaPosition(
    string Symbol,
    string? Exchange,
    string? AssetClass,
    decimal Qty,
    decimal? QtyAvailable,
    decimal AvgEntryPrice,
    string? Side,
    decimal? MarketValue,
    decimal CostBasis,
    decimal? UnrealizedPl,
    decimal? CurrentPrice);

/// <summary>The Account object (only the fields the platform uses; the rest are ignored when reading).</summary>
internal sealed record AlpacaAccount(
    string Id,
    string? AccountNumber,
    string Status,
    string? Currency,
    decimal Cash,
    decimal BuyingPower,
    decimal? Equity,
    decimal? PortfolioValue,
    bool TradingBlocked);

internal sealed record AlpacaClock(DateTimeOffset Timestamp, bool IsOpen, DateTimeOffset NextOpen, DateTimeOffset NextClose);

/// <summary>A calendar day: <c>date</c> YYYY-MM-DD, <c>open</c>/<c>close</c> HH:MM New York time.</summary>
internal sealed record AlpacaCalendarDay(string Date, string Open, string Close, string? SessionOpen, string? SessionClose);

/// <summary>Alpaca's error body: an 8-digit code whose first three digits are usually the HTTP status.</summary>
internal sealed record AlpacaError(int? Code, string? Message);
