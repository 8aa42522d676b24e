namespace StockGod.MarketData.Providers;

public static class BarTimeframes
{
    /// <summary>Length of an intraday bar; daily bars last a session and have no fixed length.</summary>
    public static TimeSpan IntradayLength(this BarTimeframe timeframe) => timeframe switch
    {
        BarTimeframe.Minute1 => TimeSpan.FromMinutes(1),
        BarTimeframe.Minute5 => TimeSpan.FromMinutes(5),
        BarTimeframe.Minute15 => TimeSpan.FromMinutes(15),
        BarTimeframe.Hour1 => TimeSpan.FromHours(1),
        _ => throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, "Daily bars have no fixed length."),
    };

    /// <summary>
    /// The start of the <paramref name="length"/>-long bar that holds <paramref name="instant"/>, aligned to New York's
    /// clock as Alpaca aligns them (the 1Hour bar of 09:30 starts at 09:00).
    /// </summary>
    public static DateTimeOffset BucketStart(DateTimeOffset instant, TimeSpan length)
    {
        var local = NewYorkTime.ToNewYork(instant);
        var sinceMidnight = local.TimeOfDay.Ticks / length.Ticks * length.Ticks;
        return new DateTimeOffset(local.Date.AddTicks(sinceMidnight), local.Offset).ToUniversalTime();
    }
}
