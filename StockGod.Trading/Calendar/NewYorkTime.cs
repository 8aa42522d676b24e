namespace StockGod.Trading.Calendar;

/// <summary>
/// America/New_York, the exchange's clock. Sessions are defined in wall-clock time there; everything stored is an
/// absolute instant, so conversions go through here to get daylight saving right.
/// </summary>
public static class NewYorkTime
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>The absolute instant of a New York wall-clock time (times used here never fall in a DST gap or overlap).</summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    /// <summary>Midnight in New York at the start of <paramref name="date"/> (how daily bars are stamped).</summary>
    public static DateTimeOffset StartOfDay(DateOnly date) => At(date, TimeOnly.MinValue);

    public static DateTimeOffset ToNewYork(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The New York calendar date at <paramref name="instant"/>.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(ToNewYork(instant).DateTime);
}
