using Quartz;
using StockGod.Scheduler.Jobs;

namespace StockGod.Scheduler.Engine;

/// <summary>
/// The scheduled jobs and their schedules (cron in America/New_York, filtered by <see cref="TradingHours"/>).
/// <para>
/// Why cron plus a guard rather than a Quartz calendar backed by the market calendar: a Quartz calendar is serialized
/// into qrtz_calendars and would have to be re-stored on every replica whenever the rules change (a newly announced
/// closure, the simulated exchange's always-open switch). The guard asks the market calendar at fire time, so every
/// replica applies the current rules at once; the crons only give the cadence, around the clock, which is also what
/// lets the always-open calendar run intraday jobs at any hour. Firings outside the window are cheap no-ops that are
/// counted (metric) but not recorded as executions.
/// </para>
/// <para>
/// Misfires (a firing missed while every replica was down, beyond Quartz's misfire threshold):
/// intraday jobs whose next tick comes within minutes skip it (DoNothing: strategy_execution on old prices would be
/// wrong, and the others are simply redone by the next tick); portfolio_snapshot and job_execution_retention fire
/// once on recovery (FireAndProceed: the snapshot still counts within its after-close hour, and is idempotent; a
/// late retention run is as good as a punctual one). order_status_check skips a missed minute tick (DoNothing: the next
/// tick polls the same open orders) but fires its after-close sweep once on recovery (FireAndProceed: it is the run that
/// sees the day orders expire, and applying broker snapshots is idempotent). Every misfire is logged and counted by the trigger listener.
/// </para>
/// </summary>
internal sealed class JobCatalog(IEnumerable<JobDefinition> definitions)
{
    public const string StrategyExecution = "strategy_execution";
    public const string PriceUpdate = "price_update";
    public const string PortfolioSnapshot = "portfolio_snapshot";
    public const string AlertPriceCheck = "alert_price_check";
    public const string OrderStatusCheck = "order_status_check";
    public const string JobExecutionRetention = "job_execution_retention";
    public const string PositionSync = "position_sync";
    public const string StockScreening = "stock_screening";

    /// <summary>The screen runs 30 minutes after the close (16:30, or 13:30 on early-close days) unless
    /// <c>Screening:ScheduleAfterClose</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultScreeningDelay = TimeSpan.FromMinutes(30);

    /// <summary>Snapshots are taken 5 minutes after the close: 16:05, or 13:05 on early-close days.</summary>
    public static readonly TimeSpan SnapshotDelay = TimeSpan.FromMinutes(5);

    /// <summary>The after-close order sweep runs 10 minutes after the close (16:10, or 13:10 on early-close days), once the
    /// broker has expired the day orders.</summary>
    public static readonly TimeSpan OrderSweepDelay = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, JobDefinition> _byName = definitions.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public IEnumerable<JobDefinition> All => _byName.Values;

    public static IReadOnlyList<JobDefinition> Default { get; } =
    [
        // Misfire DoNothing: a tick missed while every replica was down is skipped (and logged and counted by the
        // trigger listener), never run late. Its signals were computed for prices that have moved on, and the next
        // tick, 15 minutes on, evaluates the same completed bars against current prices anyway.
        new(StrategyExecution, typeof(StrategyExecutionJob),
            "Every enabled strategy of every portfolio: one batch of quotes and bars, evaluate, size and risk-check, place orders with deterministic client_order_ids.",
            [new("0 0/15 * * * ?", TradingWindow.Session, CronTriggerMisfireInstruction.DoNothing)]),
        new(PriceUpdate, typeof(PriceUpdateJob),
            "Latest quotes for every held symbol; market value and unrealized P&L of positions.",
            [new("0 0/5 * * * ?", TradingWindow.Session, CronTriggerMisfireInstruction.DoNothing)]),
        new(AlertPriceCheck, typeof(AlertPriceCheckJob),
            "Above / below / percent-change price alerts against current prices.",
            [new("0 0/5 * * * ?", TradingWindow.Session, CronTriggerMisfireInstruction.DoNothing)]),
        new(OrderStatusCheck, typeof(OrderStatusCheckJob),
            "Open orders of the last 24 hours against the broker: status changes, fills booked once, notifications.",
            [
                new("0 * * * * ?", TradingWindow.Session, CronTriggerMisfireInstruction.DoNothing),
                new("0 10 * * * ?", TradingWindow.AfterClose, CronTriggerMisfireInstruction.FireAndProceed, OrderSweepDelay),
            ]),
        new(PortfolioSnapshot, typeof(PortfolioSnapshotJob),
            "One snapshot per portfolio per trading day, 5 minutes after the close.",
            [new("0 5 * * * ?", TradingWindow.AfterClose, CronTriggerMisfireInstruction.FireAndProceed, SnapshotDelay)]),
        // Misfire: DoNothing. A missed tick is not worth a late run: the next one, at most 5 minutes on, compares the same
        // holdings against the broker's then-current state, which is the only state that matters.
        new(PositionSync, typeof(PositionSyncJob),
            "Positions (and cash) of every portfolio against its broker's, the broker being the source of truth; discrepancies recorded and notified.",
            [new("0 0/5 * * * ?", TradingWindow.Session, CronTriggerMisfireInstruction.DoNothing)]),
        new(JobExecutionRetention, typeof(JobExecutionRetentionJob),
            "Deletes job executions, finished screening runs and finished backtests older than their retention periods (each requester's latest completed screen and backtest are kept).",
            [new("0 30 3 * * ?", TradingWindow.Always, CronTriggerMisfireInstruction.FireAndProceed)]),
        StockScreeningDefinition(DefaultScreeningDelay),
    ];

    /// <summary>
    /// stock_screening <paramref name="delayAfterClose"/> (whole minutes) after each session's close: an hourly cron at
    /// that minute, of which the after-close window keeps the one firing. A missed firing runs once on recovery (the
    /// run is idempotent per date).
    /// </summary>
    public static JobDefinition StockScreeningDefinition(TimeSpan delayAfterClose)
    {
        var delay = TimeSpan.FromMinutes(Math.Max(0, Math.Floor(delayAfterClose.TotalMinutes)));
        return new(StockScreening, typeof(StockScreeningJob),
            "Screens the universe as of the session that just closed, in chunks any replica may work on; stores the ranking, notifies users, mails it.",
            [new($"0 {delay.Minutes} * * * ?", TradingWindow.AfterClose, CronTriggerMisfireInstruction.FireAndProceed, delay)]);
    }

    /// <summary>
    /// The default jobs, with the screening delay of <c>Screening:ScheduleAfterClose</c> when it is set, and each job's
    /// cadence (its first schedule's cron) replaced by <c>Scheduler:Cadence:{job}</c> when that is set.
    /// </summary>
    public static IReadOnlyList<JobDefinition> Configured(IConfiguration configuration)
    {
        IEnumerable<JobDefinition> jobs = configuration.GetValue<TimeSpan?>("Screening:ScheduleAfterClose") is { } delay
            ? Default.Select(d => d.Name == StockScreening ? StockScreeningDefinition(delay) : d)
            : Default;
        var cadence = configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>()?.Cadence ?? [];
        var unknown = cadence.Keys.Where(name => !Default.Any(d => d.Name == name)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Scheduler:Cadence names no job called {string.Join(", ", unknown)}.");
        }

        return [.. jobs.Select(d => cadence.TryGetValue(d.Name, out var cron) ? WithCadence(d, cron) : d)];
    }

    private static JobDefinition WithCadence(JobDefinition definition, string cron)
    {
        if (!CronExpression.TryParse(cron, out _))
        {
            throw new InvalidOperationException($"Scheduler:Cadence:{definition.Name} is not a Quartz cron expression: '{cron}'.");
        }

        return definition with { Schedules = [definition.Schedules[0] with { CronExpression = cron }, .. definition.Schedules.Skip(1)] };
    }

    public JobDefinition Get(string name) =>
        _byName.TryGetValue(name, out var definition) ? definition : throw new KeyNotFoundException($"No scheduled job named '{name}'.");

    public bool TryGet(string name, out JobDefinition definition) => _byName.TryGetValue(name, out definition!);
}
