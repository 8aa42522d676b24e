using Microsoft.Extensions.Configuration;
using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Trading.Calendar;

namespace StockGod.Scheduler.Tests;

/// <summary>
/// The real schedules: Quartz's cron triggers in America/New_York computing fire times, filtered by the trading-hours
/// guard over the real NYSE and always-open calendars.
/// </summary>
public sealed class ScheduleTests
{
    /// <summary>strategy_execution's schedule as the Scheduler registers it (every 15 minutes in the session).</summary>
    private static readonly JobSchedule Every15Minutes =
        JobCatalog.Default.Single(d => d.Name == JobCatalog.StrategyExecution).Schedules.Single();

    private static readonly JobSchedule Snapshot =
        JobCatalog.Default.Single(d => d.Name == JobCatalog.PortfolioSnapshot).Schedules.Single();

    [Fact]
    public void Intraday_runs_from_the_open_to_the_close_every_15_minutes_on_a_regular_day()
    {
        var runs = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 3, 6));

        Assert.Equal(27, runs.Count); // 09:30, 09:45, ..., 16:00
        Assert.Equal(Et(2024, 3, 6, 9, 30), runs[0]);
        Assert.Equal(Et(2024, 3, 6, 16, 0), runs[^1]);
    }

    [Fact]
    public void Intraday_runs_follow_new_york_wall_clock_across_the_spring_dst_change()
    {
        var friday = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 3, 8));
        var weekend = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 3, 9), days: 2);
        var monday = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 3, 11));

        Assert.Empty(weekend);
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 14, 30, 0, TimeSpan.Zero), friday[0]); // EST, UTC-5
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 13, 30, 0, TimeSpan.Zero), monday[0]); // EDT, UTC-4
        Assert.Equal(friday.Count, monday.Count);
    }

    [Fact]
    public void Nothing_runs_on_a_holiday_and_an_early_close_ends_at_13_00()
    {
        var earlyClose = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 7, 3));
        var independenceDay = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 7, 4));

        Assert.Empty(independenceDay);
        Assert.Equal(15, earlyClose.Count); // 09:30 ... 13:00
        Assert.Equal(Et(2024, 7, 3, 13, 0), earlyClose[^1]);
    }

    [Fact]
    public void Strategy_execution_runs_every_15_minutes_of_each_session_across_a_week_with_a_holiday_an_early_close_a_weekend_and_the_fall_dst_change()
    {
        // 2024-11-25 .. 2024-12-01: Thanksgiving (28th) closed, the day after closes at 13:00, then a weekend.
        var week = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 11, 25), days: 7);
        var byDate = week.GroupBy(NewYorkTime.DateOf).ToDictionary(g => g.Key, g => g.ToList());

        Assert.Equal(
            [new DateOnly(2024, 11, 25), new DateOnly(2024, 11, 26), new DateOnly(2024, 11, 27), new DateOnly(2024, 11, 29)],
            byDate.Keys.Order());
        Assert.All([25, 26, 27], day => Assert.Equal(27, byDate[new DateOnly(2024, 11, day)].Count));
        Assert.Equal(15, byDate[new DateOnly(2024, 11, 29)].Count);
        Assert.Equal(Et(2024, 11, 29, 13, 0), byDate[new DateOnly(2024, 11, 29)][^1]);
        Assert.All(week, t => Assert.Equal(0, NewYorkTime.ToNewYork(t).Minute % 15));

        // Fall back (Sunday 2024-11-03): 09:30 New York is 13:30 UTC on Friday (EDT) and 14:30 UTC on Monday (EST).
        var friday = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 11, 1));
        var weekend = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 11, 2), days: 2);
        var monday = Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 11, 4));
        Assert.Empty(weekend);
        Assert.Equal(
            (new DateTimeOffset(2024, 11, 1, 13, 30, 0, TimeSpan.Zero), new DateTimeOffset(2024, 11, 1, 20, 0, 0, TimeSpan.Zero)),
            (friday[0], friday[^1]));
        Assert.Equal(
            (new DateTimeOffset(2024, 11, 4, 14, 30, 0, TimeSpan.Zero), new DateTimeOffset(2024, 11, 4, 21, 0, 0, TimeSpan.Zero)),
            (monday[0], monday[^1]));
        Assert.Equal(27, monday.Count);
    }

    [Fact]
    public void Strategy_execution_skips_good_friday_and_a_missed_tick_is_not_fired_late()
    {
        Assert.Empty(Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 3, 29)));
        Assert.Equal(27, Runs(Every15Minutes, NyseCalendar.Instance, new DateOnly(2024, 4, 1)).Count);

        // A tick missed while every replica was down is stale by the next one: Quartz drops it rather than firing it late.
        Assert.Equal(CronTriggerMisfireInstruction.DoNothing, Every15Minutes.Misfire);
        Assert.Equal(TradingWindow.Session, Every15Minutes.Window);
    }

    [Fact]
    public void Snapshot_runs_once_per_trading_day_five_minutes_after_the_close_including_early_closes_and_dst()
    {
        var runs = Runs(Snapshot, NyseCalendar.Instance, new DateOnly(2024, 7, 1), days: 7);

        Assert.Equal(
            [Et(2024, 7, 1, 16, 5), Et(2024, 7, 2, 16, 5), Et(2024, 7, 3, 13, 5), Et(2024, 7, 5, 16, 5)],
            runs);

        var acrossFallBack = Runs(Snapshot, NyseCalendar.Instance, new DateOnly(2024, 11, 1), days: 4);
        Assert.Equal(
            [new DateTimeOffset(2024, 11, 1, 20, 5, 0, TimeSpan.Zero), new DateTimeOffset(2024, 11, 4, 21, 5, 0, TimeSpan.Zero)],
            acrossFallBack);
    }

    [Fact]
    public void Snapshot_firing_names_the_session_it_follows()
    {
        var hours = new TradingHours(NyseCalendar.Instance);

        Assert.Equal(new DateOnly(2024, 7, 3), hours.SessionClosedBefore(Et(2024, 7, 3, 13, 5), JobCatalog.SnapshotDelay)?.Date);
        Assert.Null(hours.SessionClosedBefore(Et(2024, 7, 3, 16, 5), JobCatalog.SnapshotDelay));
        Assert.Equal(new DateOnly(2024, 7, 3), hours.LatestClosedSession(Et(2024, 7, 5, 10, 0)).Date);
    }

    [Fact]
    public void Always_open_calendar_runs_intraday_jobs_at_any_hour_and_weekends_and_snapshots_once_a_day()
    {
        var saturday = Runs(Every15Minutes, AlwaysOpenCalendar.Instance, new DateOnly(2024, 3, 9));
        var snapshots = Runs(Snapshot, AlwaysOpenCalendar.Instance, new DateOnly(2024, 3, 9), days: 3);

        Assert.Equal(24 * 4, saturday.Count);
        Assert.Equal(3, snapshots.Count);
        Assert.All(snapshots, s => Assert.Equal(new TimeOnly(0, 5), TimeOnly.FromDateTime(NewYorkTime.ToNewYork(s).DateTime)));
    }

    [Fact]
    public void Screening_runs_once_per_trading_day_30_minutes_after_the_close_or_as_configured()
    {
        var screening = JobCatalog.Default.Single(d => d.Name == JobCatalog.StockScreening).Schedules.Single();
        Assert.Equal(
            [Et(2024, 7, 1, 16, 30), Et(2024, 7, 2, 16, 30), Et(2024, 7, 3, 13, 30), Et(2024, 7, 5, 16, 30)],
            Runs(screening, NyseCalendar.Instance, new DateOnly(2024, 7, 1), days: 7));

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Screening:ScheduleAfterClose"] = "01:15:00" }).Build();
        var later = JobCatalog.Configured(configuration).Single(d => d.Name == JobCatalog.StockScreening).Schedules.Single();
        Assert.Equal([Et(2024, 7, 2, 17, 15), Et(2024, 7, 3, 14, 15)], Runs(later, NyseCalendar.Instance, new DateOnly(2024, 7, 2), days: 2));
        Assert.Equal(new DateOnly(2024, 7, 3), new TradingHours(NyseCalendar.Instance).SessionClosedBefore(Et(2024, 7, 3, 14, 15), later.AfterCloseDelay)?.Date);
    }

    [Fact]
    public void A_configured_cadence_replaces_a_jobs_intraday_cron_and_keeps_its_after_close_sweep()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scheduler:Cadence:order_status_check"] = "0/2 * * * * ?",
            ["Scheduler:Cadence:strategy_execution"] = "0/3 * * * * ?",
        }).Build();
        var jobs = JobCatalog.Configured(configuration);

        var orders = jobs.Single(d => d.Name == JobCatalog.OrderStatusCheck).Schedules;
        Assert.Equal(["0/2 * * * * ?", "0 10 * * * ?"], orders.Select(s => s.CronExpression));
        Assert.Equal(TradingWindow.Session, orders[0].Window);
        Assert.Equal("0/3 * * * * ?", jobs.Single(d => d.Name == JobCatalog.StrategyExecution).Schedules.Single().CronExpression);
        Assert.Equal(
            JobCatalog.Default.Single(d => d.Name == JobCatalog.PositionSync).Schedules,
            jobs.Single(d => d.Name == JobCatalog.PositionSync).Schedules);

        // Every 2 seconds, within the session only.
        var firings = Runs(orders[0], NyseCalendar.Instance, new DateOnly(2024, 3, 6));
        Assert.Equal(Et(2024, 3, 6, 9, 30), firings[0]);
        Assert.Equal(TimeSpan.FromSeconds(2), firings[1] - firings[0]);
    }

    [Theory]
    [InlineData("Scheduler:Cadence:strategy_exec", "0/3 * * * * ?")]
    [InlineData("Scheduler:Cadence:strategy_execution", "every three seconds")]
    public void A_cadence_for_an_unknown_job_or_with_a_bad_cron_stops_the_start(string key, string cron)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = cron }).Build();

        var refusal = Assert.Throws<InvalidOperationException>(() => JobCatalog.Configured(configuration));
        Assert.Contains("Scheduler:Cadence", refusal.Message);
    }

    [Fact]
    public void Every_default_schedule_is_a_valid_cron_expression()
    {
        Assert.All(JobCatalog.Default.SelectMany(d => d.Schedules), s => Assert.True(CronExpression.TryParse(s.CronExpression, out _), s.CronExpression));
    }

    private static DateTimeOffset Et(int year, int month, int day, int hour, int minute) =>
        NewYorkTime.At(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    /// <summary>The fire times of the schedule's Quartz trigger during New York dates [from, from + days) that the guard lets run.</summary>
    private static List<DateTimeOffset> Runs(JobSchedule schedule, IMarketCalendar calendar, DateOnly from, int days = 1)
    {
        var start = NewYorkTime.StartOfDay(from);
        var end = NewYorkTime.StartOfDay(from.AddDays(days));
        var trigger = TriggerBuilder.Create()
            .WithIdentity("schedule-test")
            .WithSchedule(CronScheduleBuilder.Create(schedule.CronExpression).InTimeZone(NewYorkTime.Zone))
            .StartAt(start.AddTicks(-1))
            .Build();
        var hours = new TradingHours(calendar);
        var runs = new List<DateTimeOffset>();
        for (var fire = trigger.GetFireTimeAfter(start.AddTicks(-1)); fire is { } t && t < end; fire = trigger.GetFireTimeAfter(t))
        {
            if (hours.Includes(schedule, t))
            {
                runs.Add(t);
            }
        }

        return runs;
    }
}
