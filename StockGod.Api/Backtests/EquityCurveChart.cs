using ScottPlot;
using StockGod.Trading.Domain.Backtests;

namespace StockGod.Api.Backtests;

/// <summary>Draws a completed backtest's equity curve against its equal-weight buy-and-hold benchmark as a PNG.</summary>
public static class EquityCurveChart
{
    public const int Width = 1000;
    public const int Height = 500;

    public static byte[] RenderPng(BacktestRun run, BacktestRunResult result)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);

        // A picture, not accounting: doubles are precise enough to draw with.
        var dates = result.EquityCurve.Select(p => p.Date.ToDateTime(TimeOnly.MinValue)).ToArray();
        var plot = new Plot();
        var strategy = plot.Add.ScatterLine(dates, result.EquityCurve.Select(p => (double)p.Equity).ToArray());
        strategy.LegendText = run.StrategyType;
        strategy.LineWidth = 2;
        var benchmark = plot.Add.ScatterLine(
            result.BenchmarkEquityCurve.Select(p => p.Date.ToDateTime(TimeOnly.MinValue)).ToArray(),
            result.BenchmarkEquityCurve.Select(p => (double)p.Equity).ToArray());
        benchmark.LegendText = "Equal-weight buy and hold";
        benchmark.LineWidth = 1.5f;
        plot.Axes.DateTimeTicksBottom();
        plot.Title($"{run.StrategyType}: {run.Universe.Count} symbols, {run.StartDate:yyyy-MM-dd} to {run.EndDate:yyyy-MM-dd}");
        plot.YLabel("Equity");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
