namespace StockGod.MarketData.Providers;

/// <summary>The exchange's clock: dates and bar boundaries are New York's.</summary>
public static class NewYorkTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>00:00 New York of a date, as an absolute instant: how daily bars are stamped.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>The start of the <paramref name="length"/>-long bucket, aligned to New York's clock, that holds <paramref name="instant"/>.</summary>
    public static DateTimeOffset FloorToBucket(DateTimeOffset instant, TimeSpan length)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        var sinceMidnight = local.TimeOfDay.Ticks / length.Ticks * length.Ticks;
        return new DateTimeOffset(local.Date.AddTicks(sinceMidnight), local.Offset).ToUniversalTime();
    }
}
