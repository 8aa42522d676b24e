using StockGod.Trading.Backtesting;

namespace StockGod.Trading.Tests.Backtesting;

/// <summary>Statistics against expectations computed by hand (the arithmetic is in the comments).</summary>
public sealed class PerformanceStatisticsTests
{
    private static readonly DateOnly Day1 = new(2024, 1, 2);

    private static EquityPoint Point(int day, decimal equity, decimal invested) => new(Day1.AddDays(day), equity, equity - invested, invested);

    private static decimal Sqrt(double value) => (decimal)Math.Sqrt(value);

    [Fact]
    public void Returns_volatility_ratios_drawdown_exposure_and_turnover_match_hand_computation()
    {
        // Initial 100, then closes 110, 99, 128.7: returns +0.10, −0.10, +0.30 (99 / 110 − 1, 128.7 / 99 − 1).
        // Invested 55 of 110 (0.5), 0 of 99 (0), 128.7 of 128.7 (1): exposure = 1.5 / 3 = 0.5.
        IReadOnlyList<EquityPoint> curve = [Point(0, 110m, 55m), Point(1, 99m, 0m), Point(2, 128.7m, 128.7m)];
        var returns = PerformanceStatistics.DailyReturns(100m, curve);
        Assert.Equal([0.1m, -0.1m, 0.3m], returns);

        // Traded value 337.7 = the sum of the three equities, so turnover = 337.7 / 2 / (337.7 / 3) × 252 / 3 = 1.5 × 84 = 126.
        var s = PerformanceStatistics.Compute(100m, curve, returns, [], tradedValue: 337.7m, riskFreeRate: 0m);

        Assert.Equal(128.7m, s.FinalEquity);
        Assert.Equal(0.287m, s.TotalReturn);
        // Mean 0.1; deviations 0, −0.2, +0.2; sample variance (0 + 0.04 + 0.04) / 2 = 0.04; stdev 0.2.
        // Volatility 0.2 × √252; Sharpe 0.1 / 0.2 × √252 = 0.5 × √252 ≈ 7.9373.
        Assert.Equal(0.2m * Sqrt(252), s.AnnualizedVolatility, 12);
        Assert.Equal(0.5m * Sqrt(252), s.Sharpe!.Value, 12);
        // Downside deviation √((0 + 0.01 + 0) / 3) = 0.1 / √3, so Sortino = 0.1 / (0.1 / √3) × √252 = √756 ≈ 27.4955.
        Assert.Equal(Sqrt(756), s.Sortino!.Value, 12);
        // CAGR = 1.287^(252 / 3) − 1 = 1.287^84 − 1.
        Assert.Equal((decimal)(Math.Pow(1.287, 84) - 1), s.Cagr, 0);
        // Deepest fall: 110 → 99 = −10 %, peak day 1, trough day 2, back above 110 on day 3.
        Assert.Equal(new Drawdown(-0.1m, Day1, Day1.AddDays(1), Day1.AddDays(2)), s.MaxDrawdown);
        Assert.Equal(s.Cagr / 0.1m, s.Calmar);
        Assert.Equal(0.5m, s.Exposure);
        Assert.Equal(126m, s.Turnover, 20);
    }

    [Fact]
    public void Cagr_annualises_over_252_trading_days()
    {
        // 504 days (two years) from 100 to 121: (1.21)^(252 / 504) − 1 = √1.21 − 1 = 0.1.
        var curve = Enumerable.Range(0, 504).Select(d => Point(d, d == 503 ? 121m : 100m, 0m)).ToList();
        var s = PerformanceStatistics.Compute(100m, curve, PerformanceStatistics.DailyReturns(100m, curve), [], 0m, 0m);

        Assert.Equal(0.21m, s.TotalReturn);
        Assert.Equal(0.1m, s.Cagr, 12);
    }

    [Fact]
    public void Sharpe_and_sortino_subtract_the_daily_risk_free_rate()
    {
        // Returns +0.10, −0.10, +0.30 again, risk-free 25.2 % a year = 0.001 a day: excess mean 0.099.
        // Sharpe = 0.099 / 0.2 × √252; downside √((0 + 0.101² + 0) / 3) = 0.101 / √3, Sortino = 0.099 × √3 / 0.101 × √252.
        IReadOnlyList<EquityPoint> curve = [Point(0, 110m, 0m), Point(1, 99m, 0m), Point(2, 128.7m, 0m)];
        var s = PerformanceStatistics.Compute(100m, curve, PerformanceStatistics.DailyReturns(100m, curve), [], 0m, 0.252m);

        Assert.Equal(0.099m / 0.2m * Sqrt(252), s.Sharpe!.Value, 12);
        Assert.Equal(0.099m * Sqrt(3) / 0.101m * Sqrt(252), s.Sortino!.Value, 12);
    }

    [Fact]
    public void The_deepest_drawdown_wins_and_stays_unrecovered_while_under_its_peak()
    {
        // 100, 120, 90, 100, 60, 80: from 120 to 90 is −25 %, from 120 to 60 is −50 %; never back to 120.
        var curve = new[] { 100m, 120m, 90m, 100m, 60m, 80m }.Select((e, d) => Point(d, e, 0m)).ToList();
        Assert.Equal(new Drawdown(-0.5m, Day1.AddDays(1), Day1.AddDays(4), null), PerformanceStatistics.DeepestDrawdown(100m, curve));

        // A later, shallower fall from a higher peak does not replace a recovered deeper one:
        // 100, 80 (−20 %), 100 (recovered), 150, 135 (−10 %).
        var later = new[] { 100m, 80m, 100m, 150m, 135m }.Select((e, d) => Point(d, e, 0m)).ToList();
        Assert.Equal(new Drawdown(-0.2m, Day1, Day1.AddDays(1), Day1.AddDays(2)), PerformanceStatistics.DeepestDrawdown(100m, later));

        // A fall on the first day is measured from the initial equity: 100 → 95 = −5 %.
        Assert.Equal(-0.05m, PerformanceStatistics.DeepestDrawdown(100m, [Point(0, 95m, 0m)]).Depth);
    }

    [Fact]
    public void Trade_statistics_count_closed_trades_only()
    {
        // Closed: +30, +10, −20; open: +100 (ignored). Win rate 2 / 3, profit factor 40 / 20 = 2,
        // average win 40 / 2 = 20, average loss −20 / 1 = −20.
        BacktestTrade Trade(decimal pnl, bool open = false) => new("X", Day1, 10m, Day1, 10m, 1m, 0m, pnl, open);
        IReadOnlyList<EquityPoint> curve = [Point(0, 100m, 0m)];
        var s = PerformanceStatistics.Compute(100m, curve, [0m], [Trade(30m), Trade(10m), Trade(-20m), Trade(100m, open: true)], 0m, 0m);

        Assert.Equal(3, s.TradeCount);
        Assert.Equal(2m / 3m, s.WinRate);
        Assert.Equal(2m, s.ProfitFactor);
        Assert.Equal(20m, s.AverageWin);
        Assert.Equal(-20m, s.AverageLoss);
        // Flat equity: no volatility, so no Sharpe, Sortino or Calmar rather than a division by zero.
        Assert.Null(s.Sharpe);
        Assert.Null(s.Sortino);
        Assert.Null(s.Calmar);
    }
}
