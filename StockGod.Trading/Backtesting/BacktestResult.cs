namespace StockGod.Trading.Backtesting;

/// <summary>The portfolio at one day's close: equity = cash + invested (positions at the close).</summary>
public readonly record struct EquityPoint(DateOnly Date, decimal Equity, decimal Cash, decimal Invested);

/// <summary>One execution at a bar's open, slippage included in <see cref="Price"/>.</summary>
public sealed record BacktestFill(DateOnly DecidedOn, DateOnly Date, string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Commission, string Reason);

/// <summary>
/// A round trip: from the first buy of a flat position to the sell that flattens it (sells always close the whole
/// position). <see cref="EntryPrice"/> is the quantity-weighted average buy price. A trade still open at the end is
/// marked at the last close and flagged <see cref="IsOpen"/>; open trades do not count in win/loss statistics.
/// P&amp;L is net of the commissions of its fills.
/// </summary>
public sealed record BacktestTrade(
    string Symbol,
    DateOnly EntryDate,
    decimal EntryPrice,
    DateOnly ExitDate,
    decimal ExitPrice,
    decimal Quantity,
    decimal Commission,
    decimal ProfitAndLoss,
    bool IsOpen)
{
    /// <summary>P&amp;L as a fraction of what the entry cost.</summary>
    public decimal Return => EntryPrice * Quantity == 0m ? 0m : ProfitAndLoss / (EntryPrice * Quantity);
}

/// <summary>An equity curve with its daily returns, trades and statistics.</summary>
public sealed record PerformanceReport(
    IReadOnlyList<EquityPoint> EquityCurve,
    IReadOnlyList<decimal> DailyReturns,
    IReadOnlyList<BacktestTrade> Trades,
    PerformanceStatistics Statistics);

/// <summary>A finished backtest: the strategy's report, the equal-weight buy-and-hold benchmark's, and every fill.</summary>
public sealed record BacktestResult(
    BacktestSettings Settings,
    PerformanceReport Strategy,
    PerformanceReport Benchmark,
    IReadOnlyList<BacktestFill> Fills,
    IReadOnlyList<string> UnfilledOrders,
    IReadOnlyList<string> MissingSymbols,
    long BarsProcessed);
