using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Risk;

namespace StockGod.Trading.Backtesting;

/// <summary>
/// What to backtest: a built-in strategy by its registry type name and JSON parameters (as stored for live trading),
/// a universe, an inclusive date range, the starting cash, costs and the risk limits the live sizer applies.
/// Slippage moves every fill against the trader by <see cref="SlippageBps"/> basis points of the open.
/// </summary>
public sealed record BacktestSettings
{
    public required string StrategyType { get; init; }

    public string? ParametersJson { get; init; }

    public required IReadOnlyList<string> Universe { get; init; }

    public required DateOnly Start { get; init; }

    public required DateOnly End { get; init; }

    public decimal InitialCash { get; init; } = 100_000m;

    public ICommissionModel Commission { get; init; } = ZeroCommissionModel.Instance;

    public decimal SlippageBps { get; init; }

    public RiskLimits Limits { get; init; } = DefaultLimits;

    /// <summary>Annual risk-free rate for Sharpe and Sortino (0.02 = 2 %).</summary>
    public decimal RiskFreeRate { get; init; }

    /// <summary>At most 5 % of equity per position and 40 positions, no order above 25,000, 2 % of equity kept as cash.</summary>
    public static RiskLimits DefaultLimits { get; } = new(0.05m, 25_000m, 0.02m, 40);

    public IEnumerable<string> Validate()
    {
        if (Universe.Count == 0)
        {
            yield return "the universe is empty";
        }

        if (End < Start)
        {
            yield return $"end {End:yyyy-MM-dd} is before start {Start:yyyy-MM-dd}";
        }

        if (InitialCash <= 0m)
        {
            yield return "initial cash must be positive";
        }

        if (SlippageBps is < 0m or > 1_000m)
        {
            yield return "slippage must be between 0 and 1,000 basis points";
        }
    }
}

/// <summary>How far a run is, for an asynchronous caller's status.</summary>
public readonly record struct BacktestProgress(int DaysDone, int TotalDays)
{
    public decimal Fraction => TotalDays == 0 ? 1m : (decimal)DaysDone / TotalDays;
}
