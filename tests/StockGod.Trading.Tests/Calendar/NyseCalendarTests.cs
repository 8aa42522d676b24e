using StockGod.Trading.Calendar;

namespace StockGod.Trading.Tests.Calendar;

public sealed class NyseCalendarTests
{
    // NYSE's published holiday and early-close calendars (nyse.com/markets/hours-calendars and its yearly
    // announcements), written down as data: weekday full-day closures, then 13:00 early closes, per year.
    public static TheoryData<int, string[], string[]> PublishedCalendars => new()
    {
        { 2013, ["01-01", "01-21", "02-18", "03-29", "05-27", "07-04", "09-02", "11-28", "12-25"], ["07-03", "11-29", "12-24"] },
        { 2014, ["01-01", "01-20", "02-17", "04-18", "05-26", "07-04", "09-01", "11-27", "12-25"], ["07-03", "11-28", "12-24"] },
        { 2015, ["01-01", "01-19", "02-16", "04-03", "05-25", "07-03", "09-07", "11-26", "12-25"], ["11-27", "12-24"] },
        { 2016, ["01-01", "01-18", "02-15", "03-25", "05-30", "07-04", "09-05", "11-24", "12-26"], ["11-25"] },
        { 2017, ["01-02", "01-16", "02-20", "04-14", "05-29", "07-04", "09-04", "11-23", "12-25"], ["07-03", "11-24"] },
        { 2018, ["01-01", "01-15", "02-19", "03-30", "05-28", "07-04", "09-03", "11-22", "12-05", "12-25"], ["07-03", "11-23", "12-24"] },
        { 2019, ["01-01", "01-21", "02-18", "04-19", "05-27", "07-04", "09-02", "11-28", "12-25"], ["07-03", "11-29", "12-24"] },
        { 2020, ["01-01", "01-20", "02-17", "04-10", "05-25", "07-03", "09-07", "11-26", "12-25"], ["11-27", "12-24"] },
        { 2021, ["01-01", "01-18", "02-15", "04-02", "05-31", "07-05", "09-06", "11-25", "12-24"], ["11-26"] },
        { 2022, ["01-17", "02-21", "04-15", "05-30", "06-20", "07-04", "09-05", "11-24", "12-26"], ["11-25"] },
        { 2023, ["01-02", "01-16", "02-20", "04-07", "05-29", "06-19", "07-04", "09-04", "11-23", "12-25"], ["07-03", "11-24"] },
        { 2024, ["01-01", "01-15", "02-19", "03-29", "05-27", "06-19", "07-04", "09-02", "11-28", "12-25"], ["07-03", "11-29", "12-24"] },
        { 2025, ["01-01", "01-09", "01-20", "02-17", "04-18", "05-26", "06-19", "07-04", "09-01", "11-27", "12-25"], ["07-03", "11-28", "12-24"] },
        { 2026, ["01-01", "01-19", "02-16", "04-03", "05-25", "06-19", "07-03", "09-07", "11-26", "12-25"], ["11-27", "12-24"] },
        { 2027, ["01-01", "01-18", "02-15", "03-26", "05-31", "06-18", "07-05", "09-06", "11-25", "12-24"], ["11-26"] },
        { 2028, ["01-17", "02-21", "04-14", "05-29", "06-19", "07-04", "09-04", "11-23", "12-25"], ["07-03", "11-24"] },
    };

    // US daylight saving time switches (second Sunday of March, first Sunday of November), as published.
    public static TheoryData<string, string> DaylightSavingSwitches => new()
    {
        { "2013-03-10", "2013-11-03" }, { "2014-03-09", "2014-11-02" }, { "2015-03-08", "2015-11-01" },
        { "2016-03-13", "2016-11-06" }, { "2017-03-12", "2017-11-05" }, { "2018-03-11", "2018-11-04" },
        { "2019-03-10", "2019-11-03" }, { "2020-03-08", "2020-11-01" }, { "2021-03-14", "2021-11-07" },
        { "2022-03-13", "2022-11-06" }, { "2023-03-12", "2023-11-05" }, { "2024-03-10", "2024-11-03" },
        { "2025-03-09", "2025-11-02" }, { "2026-03-08", "2026-11-01" }, { "2027-03-14", "2027-11-07" },
        { "2028-03-12", "2028-11-05" },
    };

    private readonly NyseCalendar _calendar = new();

    [Theory]
    [MemberData(nameof(PublishedCalendars))]
    public void Weekday_closures_and_early_closes_match_the_published_calendar(int year, string[] holidays, string[] earlyCloses)
    {
        var weekdays = Enumerable.Range(0, DateTime.IsLeapYear(year) ? 366 : 365)
            .Select(day => new DateOnly(year, 1, 1).AddDays(day))
            .Where(date => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            .ToList();

        var closed = weekdays.Where(date => _calendar.SessionFor(date) is null).Select(date => date.ToString("MM-dd", null));
        var sessions = _calendar.TradingDays(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)).ToList();
        var early = sessions.Where(s => s.IsEarlyClose).Select(s => s.Date.ToString("MM-dd", null));

        Assert.Equal(holidays, closed);
        Assert.Equal(earlyCloses, early);
        Assert.Equal(weekdays.Count - holidays.Length, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(new TimeOnly(9, 30), TimeOnly.FromDateTime(NewYorkTime.ToNewYork(s.Open).DateTime)));
        Assert.All(sessions, s => Assert.Equal(
            s.IsEarlyClose ? new TimeOnly(13, 0) : new TimeOnly(16, 0),
            TimeOnly.FromDateTime(NewYorkTime.ToNewYork(s.Close).DateTime)));
    }

    [Theory]
    [MemberData(nameof(DaylightSavingSwitches))]
    public void Session_instants_in_utc_follow_daylight_saving_switches(string springForward, string fallBack)
    {
        var spring = DateOnly.Parse(springForward, null);
        var fall = DateOnly.Parse(fallBack, null);

        // Friday before spring forward: EST (UTC-5); Monday after: EDT (UTC-4). The reverse in the fall.
        AssertSessionUtc(spring.AddDays(-2), open: new(14, 30), close: new(21, 0));
        AssertSessionUtc(spring.AddDays(1), open: new(13, 30), close: new(20, 0));
        AssertSessionUtc(fall.AddDays(-2), open: new(13, 30), close: new(20, 0));
        AssertSessionUtc(fall.AddDays(1), open: new(14, 30), close: new(21, 0));

        // Across the weekend of the switch, the next open is Monday 09:30 New York, whichever offset applies.
        var fridayClose = _calendar.SessionFor(spring.AddDays(-2))!.Close;
        Assert.Equal(new DateTimeOffset(spring.AddDays(1).ToDateTime(new TimeOnly(13, 30)), TimeSpan.Zero), _calendar.NextOpen(fridayClose));
    }

    private void AssertSessionUtc(DateOnly date, TimeOnly open, TimeOnly close)
    {
        var session = _calendar.SessionFor(date);
        Assert.NotNull(session);
        Assert.Equal(new DateTimeOffset(date.ToDateTime(open), TimeSpan.Zero), session.Open.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(date.ToDateTime(close), TimeSpan.Zero), session.Close.ToUniversalTime());
    }

    [Fact]
    public void New_years_day_on_a_saturday_is_not_observed_on_the_friday_before()
    {
        Assert.NotNull(_calendar.SessionFor(new DateOnly(2021, 12, 31)));
        Assert.NotNull(_calendar.SessionFor(new DateOnly(2027, 12, 31)));
        Assert.False(_calendar.SessionFor(new DateOnly(2021, 12, 31))!.IsEarlyClose);
    }

    [Fact]
    public void Special_closures_are_closed_and_named()
    {
        foreach (var date in new DateOnly[] { new(2007, 1, 2), new(2012, 10, 29), new(2012, 10, 30), new(2018, 12, 5), new(2025, 1, 9) })
        {
            Assert.Null(_calendar.SessionFor(date));
            Assert.NotNull(_calendar.ClosureReason(date));
        }

        Assert.Equal("Good Friday", _calendar.ClosureReason(new DateOnly(2024, 3, 29)));
        Assert.Null(_calendar.ClosureReason(new DateOnly(2024, 3, 28)));
    }

    [Fact]
    public void Is_open_from_the_open_instant_up_to_but_excluding_the_close()
    {
        var session = _calendar.SessionFor(new DateOnly(2024, 7, 3))!; // an early close
        Assert.True(session.IsEarlyClose);
        Assert.False(_calendar.IsOpen(session.Open.AddTicks(-1)));
        Assert.True(_calendar.IsOpen(session.Open));
        Assert.True(_calendar.IsOpen(session.Close.AddTicks(-1)));
        Assert.False(_calendar.IsOpen(session.Close));
        Assert.False(_calendar.IsOpen(session.Open.AddHours(5))); // 14:30 on an early-close day
        Assert.False(_calendar.IsOpen(new DateTimeOffset(2024, 7, 4, 15, 0, 0, TimeSpan.Zero))); // Independence Day
        Assert.False(_calendar.IsOpen(new DateTimeOffset(2024, 7, 6, 15, 0, 0, TimeSpan.Zero))); // Saturday
    }

    [Fact]
    public void Next_open_skips_weekends_holidays_and_special_closures()
    {
        // Friday 26 Oct 2012 after the close; Sandy closed Mon 29 and Tue 30.
        var afterClose = new DateTimeOffset(2012, 10, 26, 17, 0, 0, TimeSpan.FromHours(-4));
        Assert.Equal(new DateTimeOffset(2012, 10, 31, 9, 30, 0, TimeSpan.FromHours(-4)), _calendar.NextOpen(afterClose));

        // Thursday before Good Friday 2024 during the session: next open is Monday 1 April.
        var thursday = new DateTimeOffset(2024, 3, 28, 10, 0, 0, TimeSpan.FromHours(-4));
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 9, 30, 0, TimeSpan.FromHours(-4)), _calendar.NextOpen(thursday));

        // Before the open on a trading day, the next open is that day's; at the open instant, the following day's.
        var early = new DateTimeOffset(2024, 3, 28, 8, 0, 0, TimeSpan.FromHours(-4));
        Assert.Equal(new DateTimeOffset(2024, 3, 28, 9, 30, 0, TimeSpan.FromHours(-4)), _calendar.NextOpen(early));
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 9, 30, 0, TimeSpan.FromHours(-4)), _calendar.NextOpen(early.AddMinutes(90)));
    }

    [Fact]
    public void Next_close_is_the_close_of_the_session_in_progress_or_of_the_next_session()
    {
        var blackFriday = new DateTimeOffset(2024, 11, 29, 10, 0, 0, TimeSpan.FromHours(-5));
        Assert.Equal(new DateTimeOffset(2024, 11, 29, 13, 0, 0, TimeSpan.FromHours(-5)), _calendar.NextClose(blackFriday));

        var afterEarlyClose = new DateTimeOffset(2024, 11, 29, 13, 0, 0, TimeSpan.FromHours(-5));
        Assert.Equal(new DateTimeOffset(2024, 12, 2, 16, 0, 0, TimeSpan.FromHours(-5)), _calendar.NextClose(afterEarlyClose));

        // Late on Christmas Eve 2024 (early close), across Christmas Day.
        var christmasEveNight = new DateTimeOffset(2024, 12, 24, 23, 0, 0, TimeSpan.FromHours(-5));
        Assert.Equal(new DateTimeOffset(2024, 12, 26, 16, 0, 0, TimeSpan.FromHours(-5)), _calendar.NextClose(christmasEveNight));
    }

    [Fact]
    public void Instants_are_judged_by_their_new_york_date_not_their_utc_date()
    {
        // 02:00 UTC on Tuesday 2 July 2024 is still Monday 1 July 22:00 in New York: closed, next open Tuesday.
        var utcTuesday = new DateTimeOffset(2024, 7, 2, 2, 0, 0, TimeSpan.Zero);
        Assert.False(_calendar.IsOpen(utcTuesday));
        Assert.Equal(new DateTimeOffset(2024, 7, 2, 13, 30, 0, TimeSpan.Zero), _calendar.NextOpen(utcTuesday));
        Assert.Equal(new DateOnly(2024, 7, 1), NewYorkTime.DateOf(utcTuesday));
    }

    [Theory]
    [InlineData(2000, 4, 23)]
    [InlineData(2008, 3, 23)]
    [InlineData(2011, 4, 24)]
    [InlineData(2038, 4, 25)]
    [InlineData(2285, 3, 22)]
    public void Easter_sunday_matches_published_dates(int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), NyseCalendar.EasterSunday(year));
}
