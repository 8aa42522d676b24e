namespace StockGod.Trading.Persistence;

/// <summary>
/// PostgreSQL's own change feed for what a portfolio GET shows: triggers on portfolios, positions and
/// portfolio_snapshots (migration PortfolioChangeNotifications) call <c>pg_notify</c> on <see cref="Channel"/> with the
/// changed portfolio's id at commit, whoever wrote (Api, Scheduler jobs, raw SQL), and with an empty payload after a
/// TRUNCATE (<see cref="Everything"/>).
/// </summary>
public static class PortfolioChangeNotifications
{
    /// <summary>The LISTEN/NOTIFY channel; the migration's trigger function names it literally.</summary>
    public const string Channel = "portfolio_changed";

    /// <summary>The payload meaning "any portfolio may have changed" (a TRUNCATE).</summary>
    public const string Everything = "";
}
