using Quartz;

namespace StockGod.Scheduler.Engine;

/// <summary>Which firings of a cron schedule are real runs, decided against the market calendar at fire time.</summary>
internal enum TradingWindow
{
    /// <summary>Every firing runs (housekeeping).</summary>
    Always,

    /// <summary>Firings from a session's open to its close, both included; none on weekends and holidays.</summary>
    Session,

    /// <summary>The first firing at least <see cref="JobSchedule.AfterCloseDelay"/> after a session's close.</summary>
    AfterClose,
}

/// <summary>
/// One trigger of a job: a Quartz cron expression in America/New_York, the trading window that filters its firings,
/// and what Quartz does with a firing missed while every replica was down.
/// </summary>
internal sealed record JobSchedule(
    string CronExpression,
    TradingWindow Window,
    CronTriggerMisfireInstruction Misfire,
    TimeSpan AfterCloseDelay = default);

/// <summary>A scheduled job: its stable name (the scheduled_jobs row and the Quartz job key), its IJob and its schedules.</summary>
internal sealed record JobDefinition(string Name, Type JobType, string Description, IReadOnlyList<JobSchedule> Schedules)
{
    public const string QuartzGroup = "stockgod";

    public JobKey Key => new(Name, QuartzGroup);

    public TriggerKey TriggerKeyOf(int scheduleIndex) => new($"{Name}#{scheduleIndex}", QuartzGroup);

    /// <summary>The schedule a trigger of this job stands for, or null for a firing that is none of them (a manual run).</summary>
    public JobSchedule? ScheduleOf(TriggerKey trigger)
    {
        for (var i = 0; i < Schedules.Count; i++)
        {
            if (TriggerKeyOf(i).Equals(trigger))
            {
                return Schedules[i];
            }
        }

        return null;
    }
}
