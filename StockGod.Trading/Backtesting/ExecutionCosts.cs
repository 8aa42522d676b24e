using StockGod.Trading.Domain.Portfolios;

namespace StockGod.Trading.Backtesting;

/// <summary>How a simulated market order executes at a bar's open: slippage against the trader, then commission.</summary>
internal static class ExecutionCosts
{
    /// <summary>The open moved against the trader by <paramref name="slippageBps"/> basis points (up for a buy, down for a sell).</summary>
    public static decimal FillPrice(decimal open, OrderSide side, decimal slippageBps) =>
        side == OrderSide.Buy ? open * (1m + (slippageBps / 10_000m)) : open * (1m - (slippageBps / 10_000m));

    /// <summary>The most whole shares, up to <paramref name="wanted"/>, whose cost plus commission fits in <paramref name="cash"/>.</summary>
    public static decimal AffordableQuantity(decimal wanted, decimal price, decimal cash, ICommissionModel commission)
    {
        var quantity = Math.Min(wanted, price > 0m ? decimal.Floor(cash / price) : 0m);
        while (quantity >= 1m && (quantity * price) + commission.CommissionFor(OrderSide.Buy, quantity, price) > cash)
        {
            quantity--;
        }

        return Math.Max(quantity, 0m);
    }
}
