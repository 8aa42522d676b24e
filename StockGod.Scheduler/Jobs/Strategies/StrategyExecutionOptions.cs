using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Jobs.Strategies;

/// <summary>How strategy_execution reads history and spreads its work (configuration section <c>StrategyExecution</c>).</summary>
public sealed class StrategyExecutionOptions
{
    public const string SectionName = "StrategyExecution";

    /// <summary>Calendar days of daily bars fetched before the firing (<see cref="StrategyMarket.DefaultHistoryDays"/>).</summary>
    public int HistoryDays { get; set; } = StrategyMarket.DefaultHistoryDays;

    /// <summary>
    /// Portfolios whose orders are placed at the same time (each uses its own database connection and broker calls).
    /// A portfolio's placement mostly waits for round trips, so 8 beat 4 even on 2 shared cores (docs/benchmarks.md).
    /// </summary>
    public int MaxParallelPortfolios { get; set; } = 8;
}
