namespace StockGod.Scheduler.Jobs.Strategies;

/// <summary>How strategy_execution reads history and spreads its work (configuration section <c>StrategyExecution</c>).</summary>
public sealed class StrategyExecutionOptions
{
    public const string SectionName = "StrategyExecution";

    /// <summary>
    /// Calendar days of daily bars fetched before the firing: about 500 sessions, enough for the slowest built-in
    /// parameters (SMA(500)); a strategy given more bars than it needs ignores the surplus, one given fewer holds
    /// with a reason that says how many it needs.
    /// </summary>
    public int HistoryDays { get; set; } = 730;

    /// <summary>Portfolios whose orders are placed at the same time (each uses its own database connection and broker calls).</summary>
    public int MaxParallelPortfolios { get; set; } = 4;
}
