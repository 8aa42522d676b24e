using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace StockGod.Trading.Calendar;

/// <summary>
/// The New York Stock Exchange's calendar: regular session 09:30–16:00 New York time, full-day holidays by NYSE
/// Rule 7.2 and its published practice, the special closures of recent decades, and the 13:00 early closes.
/// Rules are computed per year (and cached), so any year works; they match NYSE's published calendars 2013–2028.
/// </summary>
public sealed class NyseCalendar : SessionCalendar
{
    public static readonly TimeOnly RegularOpen = new(9, 30);
    public static readonly TimeOnly RegularClose = new(16, 0);
    public static readonly TimeOnly EarlyClose = new(13, 0);

    public static NyseCalendar Instance { get; } = new();

    // Unscheduled closures NYSE announced (days of mourning, emergencies); the yearly rules cannot predict them.
    private static readonly FrozenDictionary<DateOnly, string> SpecialClosures = new Dictionary<DateOnly, string>
    {
        [new(2001, 9, 11)] = "September 11 attacks",
        [new(2001, 9, 12)] = "September 11 attacks",
        [new(2001, 9, 13)] = "September 11 attacks",
        [new(2001, 9, 14)] = "September 11 attacks",
        [new(2004, 6, 11)] = "National Day of Mourning for President Reagan",
        [new(2007, 1, 2)] = "National Day of Mourning for President Ford",
        [new(2012, 10, 29)] = "Hurricane Sandy",
        [new(2012, 10, 30)] = "Hurricane Sandy",
        [new(2018, 12, 5)] = "National Day of Mourning for President George H. W. Bush",
        [new(2025, 1, 9)] = "National Day of Mourning for President Carter",
    }.ToFrozenDictionary();

    private readonly ConcurrentDictionary<int, YearSchedule> _years = new();

    public override MarketSession? SessionFor(DateOnly date)
    {
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return null;
        }

        var year = _years.GetOrAdd(date.Year, BuildYear);
        if (year.Closures.ContainsKey(date))
        {
            return null;
        }

        var close = year.EarlyCloses.Contains(date) ? EarlyClose : RegularClose;
        return new MarketSession(date, NewYorkTime.At(date, RegularOpen), NewYorkTime.At(date, close));
    }

    /// <summary>Why the market is closed on a weekday, or null when it trades (weekends are not listed).</summary>
    public string? ClosureReason(DateOnly date) =>
        _years.GetOrAdd(date.Year, BuildYear).Closures.GetValueOrDefault(date);

    private static YearSchedule BuildYear(int year)
    {
        var closures = new Dictionary<DateOnly, string>();

        // Rule 7.2: a holiday on a Saturday closes the Friday before, on a Sunday the Monday after. New Year's Day is
        // the exception: on a Saturday nothing is observed, because the Friday ends the year's accounting period.
        var newYear = new DateOnly(year, 1, 1);
        if (newYear.DayOfWeek != DayOfWeek.Saturday)
        {
            closures[Observed(newYear)] = "New Year's Day";
        }

        closures[NthWeekday(year, 1, DayOfWeek.Monday, 3)] = "Martin Luther King, Jr. Day";
        closures[NthWeekday(year, 2, DayOfWeek.Monday, 3)] = "Washington's Birthday";
        closures[EasterSunday(year).AddDays(-2)] = "Good Friday";
        closures[LastWeekday(year, 5, DayOfWeek.Monday)] = "Memorial Day";
        if (year >= 2022)
        {
            closures[Observed(new DateOnly(year, 6, 19))] = "Juneteenth National Independence Day";
        }

        closures[Observed(new DateOnly(year, 7, 4))] = "Independence Day";
        closures[NthWeekday(year, 9, DayOfWeek.Monday, 1)] = "Labor Day";
        var thanksgiving = NthWeekday(year, 11, DayOfWeek.Thursday, 4);
        closures[thanksgiving] = "Thanksgiving Day";
        closures[Observed(new DateOnly(year, 12, 25))] = "Christmas Day";

        foreach (var (date, reason) in SpecialClosures)
        {
            if (date.Year == year)
            {
                closures[date] = reason;
            }
        }

        // 13:00 closes: the eve of Independence Day and Christmas when that eve is a Monday–Thursday (on a Friday the
        // holiday itself falls on Saturday and the Friday is the observed holiday), and the day after Thanksgiving.
        var earlyCloses = new HashSet<DateOnly> { thanksgiving.AddDays(1) };
        foreach (var eve in new[] { new DateOnly(year, 7, 3), new DateOnly(year, 12, 24) })
        {
            if (eve.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday)
            {
                earlyCloses.Add(eve);
            }
        }

        earlyCloses.ExceptWith(closures.Keys);
        return new YearSchedule(closures.ToFrozenDictionary(), earlyCloses.ToFrozenSet());
    }

    private static DateOnly Observed(DateOnly holiday) => holiday.DayOfWeek switch
    {
        DayOfWeek.Saturday => holiday.AddDays(-1),
        DayOfWeek.Sunday => holiday.AddDays(1),
        _ => holiday,
    };

    private static DateOnly NthWeekday(int year, int month, DayOfWeek day, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)day - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek day)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)day + 7) % 7;
        return last.AddDays(-offset);
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" computus).</summary>
    internal static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private sealed record YearSchedule(FrozenDictionary<DateOnly, string> Closures, FrozenSet<DateOnly> EarlyCloses);
}
