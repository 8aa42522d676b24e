namespace StockGod.Trading.Backtesting;

/// <summary>
/// The benchmark: the initial cash split equally over the symbols trading on the first day, each bought at that
/// day's open (same slippage and commission as the strategy, whole shares, the remainder kept as cash) and held to
/// the end, marked at each close. A symbol whose bars stop keeps its last close.
/// </summary>
public static class EqualWeightBuyAndHold
{
    public static PerformanceReport Run(BacktestMarket market, BacktestSettings settings)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(settings);

        var count = market.Symbols.Count;
        var quantity = new decimal[count];
        var lastClose = new decimal[count];
        var cursor = new int[count];
        var entryPrice = new decimal[count];
        var commission = new decimal[count];
        var cash = settings.InitialCash;
        var tradedValue = 0m;

        var firstDaySymbols = 0;
        for (var s = 0; s < count; s++)
        {
            firstDaySymbols += market.DayIndexes[s][0] == 0 ? 1 : 0;
        }

        var curve = new EquityPoint[market.Days.Count];
        for (var d = 0; d < market.Days.Count; d++)
        {
            var invested = 0m;
            for (var s = 0; s < count; s++)
            {
                var bars = market.Bars[s];
                if (cursor[s] < bars.Length && market.DayIndexes[s][cursor[s]] == d)
                {
                    if (d == 0)
                    {
                        var price = ExecutionCosts.FillPrice(bars[0].Open, OrderSide.Buy, settings.SlippageBps);
                        var allocation = settings.InitialCash / firstDaySymbols;
                        var bought = ExecutionCosts.AffordableQuantity(decimal.MaxValue, price, allocation, settings.Commission);
                        if (bought >= 1m)
                        {
                            commission[s] = settings.Commission.CommissionFor(OrderSide.Buy, bought, price);
                            cash -= (bought * price) + commission[s];
                            tradedValue += bought * price;
                            quantity[s] = bought;
                            entryPrice[s] = price;
                        }
                    }

                    lastClose[s] = bars[cursor[s]].Close;
                    cursor[s]++;
                }

                invested += quantity[s] * lastClose[s];
            }

            curve[d] = new EquityPoint(market.Days[d], cash + invested, cash, invested);
        }

        var lastDay = market.Days[^1];
        var trades = new List<BacktestTrade>();
        for (var s = 0; s < count; s++)
        {
            if (quantity[s] > 0m)
            {
                trades.Add(new BacktestTrade(
                    market.Symbols[s], market.Days[0], entryPrice[s], lastDay, lastClose[s], quantity[s], commission[s],
                    (quantity[s] * (lastClose[s] - entryPrice[s])) - commission[s], IsOpen: true));
            }
        }

        var returns = PerformanceStatistics.DailyReturns(settings.InitialCash, curve);
        var statistics = PerformanceStatistics.Compute(settings.InitialCash, curve, returns, trades, tradedValue, settings.RiskFreeRate);
        return new PerformanceReport(curve, returns, trades, statistics);
    }
}
