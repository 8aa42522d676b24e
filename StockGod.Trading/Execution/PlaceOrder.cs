namespace StockGod.Trading.Execution;

/// <summary>
/// An order to place for a portfolio. <see cref="ClientOrderId"/> is the caller's idempotency key (the Api passes the
/// consumer's; strategies pass one derived from the signal); when null a new one is generated.
/// </summary>
public sealed record PlaceOrder(
    Guid PortfolioId,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    decimal? Quantity,
    decimal? Notional = null,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    string? ClientOrderId = null,
    Guid? StrategyId = null,
    Guid? SignalId = null);
