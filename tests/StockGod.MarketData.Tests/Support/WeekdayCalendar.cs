using StockGod.Trading.Calendar;

namespace StockGod.MarketData.Tests.Support;

/// <summary>Stand-in for the NYSE calendar until it lands: Monday to Friday, 09:30 to 16:00 New York, no holidays.</summary>
internal sealed class WeekdayCalendar : IMarketCalendar
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public bool IsOpen(DateTimeOffset at) => SessionFor(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, NewYork).DateTime)) is { } s && at >= s.Open && at < s.Close;

    public MarketSession? SessionFor(DateOnly date)
    {
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return null;
        }

        return new MarketSession(date, At(date, 9, 30), At(date, 16, 0));
    }

    public DateTimeOffset NextOpen(DateTimeOffset after)
    {
        for (var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, NewYork).DateTime); ; date = date.AddDays(1))
        {
            if (SessionFor(date) is { } s && s.Open > after)
            {
                return s.Open;
            }
        }
    }

    public DateTimeOffset NextClose(DateTimeOffset after)
    {
        for (var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, NewYork).DateTime); ; date = date.AddDays(1))
        {
            if (SessionFor(date) is { } s && s.Close > after)
            {
                return s.Close;
            }
        }
    }

    public IEnumerable<MarketSession> TradingDays(DateOnly from, DateOnly to)
    {
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            if (SessionFor(date) is { } s)
            {
                yield return s;
            }
        }
    }

    private static DateTimeOffset At(DateOnly date, int hour, int minute)
    {
        var local = date.ToDateTime(new TimeOnly(hour, minute));
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local));
    }
}
