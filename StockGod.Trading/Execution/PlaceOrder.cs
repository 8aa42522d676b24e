namespace StockGod.Trading.Execution;

/// <summary>
/// An order to place for a portfolio. <see cref="ClientOrderId"/> is the caller's idempotency key (the Api passes the
/// consumer's; strategies pass one derived from the signal); when null a new one is generated. <see cref="OwnerUserId"/>,
/// when set (the Api's caller), requires the portfolio to be that user's: another user's portfolio is refused as an
/// unknown one (<see cref="Domain.Portfolios.PortfolioNotFoundException"/>), checked on the row the placement locks anyway.
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
    Guid? SignalId = null,
    Guid? OwnerUserId = null);
