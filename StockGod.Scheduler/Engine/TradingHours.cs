using StockGod.Trading.Calendar;

namespace StockGod.Scheduler.Engine;

/// <summary>
/// The guard that turns cron firings into trading-day runs. Quartz fires on plain cron expressions in New York time;
/// this decides, from the market calendar at fire time, whether a firing is a run. With the always-open calendar of
/// the simulated exchange every date is one session, so the same schedules run around the clock.
/// </summary>
internal sealed class TradingHours(IMarketCalendar calendar)
{
    /// <summary>How long after a session's close (plus the schedule's delay) an after-close firing still counts:
    /// the after-close crons fire hourly, so exactly one firing per close falls inside.</summary>
    public static readonly TimeSpan AfterCloseWindow = TimeSpan.FromHours(1);

    public bool Includes(JobSchedule schedule, DateTimeOffset fireTime) => schedule.Window switch
    {
        TradingWindow.Always => true,
        TradingWindow.Session => calendar.SessionFor(NewYorkTime.DateOf(fireTime)) is { } session
            && session.Open <= fireTime && fireTime <= session.Close,
        TradingWindow.AfterClose => SessionClosedBefore(fireTime, schedule.AfterCloseDelay) is not null,
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule.Window, "Unknown trading window."),
    };

    /// <summary>
    /// The session whose close plus <paramref name="delay"/> lies within the hour before <paramref name="at"/>, or
    /// null. A session closes on its own New York date or (always open) at the next midnight, so two dates are enough.
    /// </summary>
    public MarketSession? SessionClosedBefore(DateTimeOffset at, TimeSpan delay)
    {
        var date = NewYorkTime.DateOf(at);
        foreach (var candidate in new[] { date, date.AddDays(-1) })
        {
            if (calendar.SessionFor(candidate) is { } session
                && session.Close + delay <= at && at < session.Close + delay + AfterCloseWindow)
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>The last session that closed at or before <paramref name="at"/>.</summary>
    public MarketSession LatestClosedSession(DateTimeOffset at)
    {
        for (var date = NewYorkTime.DateOf(at); ; date = date.AddDays(-1))
        {
            if (calendar.SessionFor(date) is { } session && session.Close <= at)
            {
                return session;
            }
        }
    }
}
