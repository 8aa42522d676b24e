using StockGod.Trading.Domain;

namespace StockGod.Trading.Brokerage.Simulated;

/// <summary>
/// Decides at which price, if any, an order executes against a quote: market orders at the ask (buys) or bid (sells)
/// with slippage; limit orders when that side of the quote reaches the limit, at the quote; stop orders once the
/// last trade crosses the stop (then as market, or as limit for stop_limit).
/// </summary>
internal static class SimulatedOrderMatcher
{
    public static bool IsUsable(Quote quote) => quote is { BidPrice: > 0, AskPrice: > 0 } && quote.AskPrice >= quote.BidPrice;

    /// <summary>The market price with slippage applied against the taker.</summary>
    public static decimal MarketPrice(OrderSide side, Quote quote, decimal slippageBasisPoints)
    {
        var concession = slippageBasisPoints / 10_000m;
        return DecimalRounding.Price(side == OrderSide.Buy ? quote.AskPrice * (1 + concession) : quote.BidPrice * (1 - concession));
    }

    /// <summary>The execution price now, or null when the order cannot execute at this quote. Marks stops triggered.</summary>
    public static decimal? ExecutablePrice(SimOrder order, Quote quote, decimal slippageBasisPoints)
    {
        var buy = order.Side == OrderSide.Buy;
        if (order.Type is OrderType.Stop or OrderType.StopLimit && !order.StopTriggered)
        {
            var last = quote.LastPrice > 0 ? quote.LastPrice : quote.MidPrice;
            order.StopTriggered = buy ? last >= order.StopPrice : last <= order.StopPrice;
            if (!order.StopTriggered)
            {
                return null;
            }
        }

        if (order.Type is OrderType.Market or OrderType.Stop)
        {
            return MarketPrice(order.Side, quote, slippageBasisPoints);
        }

        var touch = buy ? quote.AskPrice : quote.BidPrice;
        var limit = order.LimitPrice!.Value;
        return (buy ? touch <= limit : touch >= limit) ? touch : null;
    }
}
