using StockGod.Trading.Calendar;

namespace StockGod.Trading.Tests.Calendar;

public sealed class AlwaysOpenCalendarTests
{
    private readonly AlwaysOpenCalendar _calendar = AlwaysOpenCalendar.Instance;

    [Fact]
    public void Every_day_trades_including_weekends_and_holidays()
    {
        var days = _calendar.TradingDays(new DateOnly(2024, 12, 21), new DateOnly(2024, 12, 27)).ToList();

        Assert.Equal(7, days.Count);
        Assert.True(_calendar.IsOpen(new DateTimeOffset(2024, 12, 25, 3, 0, 0, TimeSpan.FromHours(-5)))); // Christmas, 03:00
        Assert.True(_calendar.IsOpen(new DateTimeOffset(2024, 12, 21, 23, 59, 59, TimeSpan.FromHours(-5)))); // Saturday night
    }

    [Fact]
    public void A_session_runs_from_new_york_midnight_to_the_next_and_follows_dst()
    {
        var springForward = _calendar.SessionFor(new DateOnly(2024, 3, 10));
        var fallBack = _calendar.SessionFor(new DateOnly(2024, 11, 3));

        Assert.Equal(new DateTimeOffset(2024, 3, 10, 5, 0, 0, TimeSpan.Zero), springForward.Open);
        Assert.Equal(TimeSpan.FromHours(23), springForward.Close - springForward.Open);
        Assert.Equal(TimeSpan.FromHours(25), fallBack.Close - fallBack.Open);
    }

    [Fact]
    public void Next_close_is_the_coming_new_york_midnight_and_next_open_the_same_instant()
    {
        var at = new DateTimeOffset(2024, 6, 5, 15, 0, 0, TimeSpan.FromHours(-4));
        var midnight = new DateTimeOffset(2024, 6, 6, 0, 0, 0, TimeSpan.FromHours(-4));

        Assert.Equal(midnight, _calendar.NextClose(at));
        Assert.Equal(midnight, _calendar.NextOpen(at));
    }
}
