namespace StockGod.Trading.Calendar;

/// <summary>One trading session: the date in New York and its open and close instants.</summary>
public sealed record MarketSession(DateOnly Date, DateTimeOffset Open, DateTimeOffset Close)
{
    public bool IsEarlyClose => Close - Open < TimeSpan.FromHours(6.5);
}

/// <summary>When the market trades. All instants are absolute (UTC offsets); dates are New York dates.</summary>
public interface IMarketCalendar
{
    bool IsOpen(DateTimeOffset at);

    /// <summary>The session of a date, or null when the market is closed all day (weekend or holiday).</summary>
    MarketSession? SessionFor(DateOnly date);

    /// <summary>The first session open strictly after <paramref name="after"/>.</summary>
    DateTimeOffset NextOpen(DateTimeOffset after);

    /// <summary>The close of the session in progress at <paramref name="after"/>, or of the next session.</summary>
    DateTimeOffset NextClose(DateTimeOffset after);

    /// <summary>Trading sessions with dates in [from, to], in order.</summary>
    IEnumerable<MarketSession> TradingDays(DateOnly from, DateOnly to);
}
