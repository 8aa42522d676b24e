using StockGod.Trading.Indicators;

namespace StockGod.Trading.Backtesting;

/// <summary>The deepest fall of equity from a running peak, as a negative fraction; <see cref="Recovery"/> (the first day back at the peak) is null while still under water.</summary>
public sealed record Drawdown(decimal Depth, DateOnly Peak, DateOnly Trough, DateOnly? Recovery);

/// <summary>
/// Performance statistics of an equity curve, all as fractions (0.12 = 12 %), computed in decimal.
/// Conventions (252 trading days a year, risk-free rate as an annual fraction):
/// <list type="bullet">
/// <item>daily return r_t = E_t / E_{t−1} − 1, with E_{−1} the initial equity, so there are N returns for N days;</item>
/// <item>total return = E_last / E_initial − 1; CAGR = (E_last / E_initial)^(252 / N) − 1;</item>
/// <item>volatility = sample standard deviation of r (n − 1) × √252;</item>
/// <item>Sharpe = (mean r − rf/252) / sample stdev × √252; Sortino = (mean r − rf/252) / downside deviation × √252,
/// downside deviation = √(Σ min(r − rf/252, 0)² / N);</item>
/// <item>maximum drawdown from the running peak (starting at the initial equity); Calmar = CAGR / |max drawdown|;</item>
/// <item>win rate, profit factor (gross wins / gross losses), average win and loss over CLOSED trades;</item>
/// <item>exposure = mean over days of invested / equity; turnover = traded value / 2 / mean equity, per year.</item>
/// </list>
/// Ratios that would divide by zero are null.
/// </summary>
public sealed record PerformanceStatistics(
    decimal InitialEquity,
    decimal FinalEquity,
    decimal TotalReturn,
    decimal Cagr,
    decimal AnnualizedVolatility,
    decimal? Sharpe,
    decimal? Sortino,
    Drawdown MaxDrawdown,
    decimal? Calmar,
    int TradeCount,
    decimal? WinRate,
    decimal? ProfitFactor,
    decimal? AverageWin,
    decimal? AverageLoss,
    decimal Exposure,
    decimal Turnover)
{
    public const int TradingDaysPerYear = 252;

    private static readonly decimal SqrtTradingDays = DecimalMath.Sqrt(TradingDaysPerYear);

    /// <summary>Daily returns of a curve (see the conventions above).</summary>
    public static decimal[] DailyReturns(decimal initialEquity, IReadOnlyList<EquityPoint> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var returns = new decimal[curve.Count];
        var previous = initialEquity;
        for (var i = 0; i < curve.Count; i++)
        {
            returns[i] = previous == 0m ? 0m : (curve[i].Equity / previous) - 1m;
            previous = curve[i].Equity;
        }

        return returns;
    }

    public static PerformanceStatistics Compute(
        decimal initialEquity,
        IReadOnlyList<EquityPoint> curve,
        IReadOnlyList<decimal> returns,
        IReadOnlyList<BacktestTrade> trades,
        decimal tradedValue,
        decimal riskFreeRate)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(returns);
        ArgumentNullException.ThrowIfNull(trades);
        if (curve.Count == 0)
        {
            throw new ArgumentException("An equity curve needs at least one day.", nameof(curve));
        }

        var days = curve.Count;
        var final = curve[^1].Equity;
        var growth = final / initialEquity;
        var totalReturn = growth - 1m;
        var cagr = growth <= 0m ? -1m : (decimal)Math.Pow((double)growth, (double)TradingDaysPerYear / days) - 1m;

        var dailyRiskFree = riskFreeRate / TradingDaysPerYear;
        decimal sum = 0m;
        foreach (var r in returns)
        {
            sum += r;
        }

        var mean = returns.Count == 0 ? 0m : sum / returns.Count;
        decimal squares = 0m, downside = 0m;
        foreach (var r in returns)
        {
            squares += (r - mean) * (r - mean);
            var shortfall = Math.Min(r - dailyRiskFree, 0m);
            downside += shortfall * shortfall;
        }

        var stdev = returns.Count > 1 ? DecimalMath.Sqrt(squares / (returns.Count - 1)) : 0m;
        var downsideDeviation = returns.Count > 0 ? DecimalMath.Sqrt(downside / returns.Count) : 0m;
        var excess = mean - dailyRiskFree;
        var drawdown = DeepestDrawdown(initialEquity, curve);

        decimal exposure = 0m, equitySum = 0m;
        foreach (var point in curve)
        {
            exposure += point.Equity == 0m ? 0m : point.Invested / point.Equity;
            equitySum += point.Equity;
        }

        var meanEquity = equitySum / days;
        var turnover = meanEquity == 0m ? 0m : tradedValue / 2m / meanEquity * TradingDaysPerYear / days;

        int wins = 0, losses = 0;
        decimal grossWin = 0m, grossLoss = 0m;
        foreach (var trade in trades)
        {
            if (trade.IsOpen)
            {
                continue;
            }

            if (trade.ProfitAndLoss > 0m)
            {
                wins++;
                grossWin += trade.ProfitAndLoss;
            }
            else
            {
                losses++;
                grossLoss -= trade.ProfitAndLoss;
            }
        }

        var closed = wins + losses;
        return new PerformanceStatistics(
            initialEquity,
            final,
            totalReturn,
            cagr,
            stdev * SqrtTradingDays,
            stdev == 0m ? null : excess / stdev * SqrtTradingDays,
            downsideDeviation == 0m ? null : excess / downsideDeviation * SqrtTradingDays,
            drawdown,
            drawdown.Depth == 0m ? null : cagr / -drawdown.Depth,
            closed,
            closed == 0 ? null : (decimal)wins / closed,
            grossLoss == 0m ? null : grossWin / grossLoss,
            wins == 0 ? null : grossWin / wins,
            losses == 0 ? null : -grossLoss / losses,
            exposure / days,
            turnover);
    }

    /// <summary>The deepest peak-to-trough fall; the peak starts at the initial equity on the first day.</summary>
    public static Drawdown DeepestDrawdown(decimal initialEquity, IReadOnlyList<EquityPoint> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var peak = initialEquity;
        var peakDate = curve[0].Date;
        var worst = new Drawdown(0m, peakDate, peakDate, peakDate);
        var worstPeakValue = peak;
        foreach (var point in curve)
        {
            if (point.Equity >= peak)
            {
                if (worst.Recovery is null && point.Equity >= worstPeakValue)
                {
                    worst = worst with { Recovery = point.Date };
                }

                peak = point.Equity;
                peakDate = point.Date;
                continue;
            }

            var depth = (point.Equity / peak) - 1m;
            if (depth < worst.Depth)
            {
                worst = new Drawdown(depth, peakDate, point.Date, null);
                worstPeakValue = peak;
            }
        }

        return worst;
    }
}
