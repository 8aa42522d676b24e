namespace StockGod.Trading.Calendar;

/// <summary>
/// The navigation every calendar shares (is it open, when does it next open or close, which days trade), derived
/// from one question a concrete calendar answers: what is the session of a given New York date.
/// </summary>
public abstract class SessionCalendar : IMarketCalendar
{
    // Longer than any closure run NYSE has had (9/11 plus a weekend closed six days), so a search always finds a session.
    private const int MaxDaysWithoutSession = 14;

    public abstract MarketSession? SessionFor(DateOnly date);

    public bool IsOpen(DateTimeOffset at)
    {
        var session = SessionFor(NewYorkTime.DateOf(at));
        return session is not null && session.Open <= at && at < session.Close;
    }

    public DateTimeOffset NextOpen(DateTimeOffset after) => FirstSession(after, s => s.Open > after).Open;

    public DateTimeOffset NextClose(DateTimeOffset after) => FirstSession(after, s => s.Close > after).Close;

    public IEnumerable<MarketSession> TradingDays(DateOnly from, DateOnly to)
    {
        for (var date = from; date <= to; date = date.AddDays(1))
        {
            if (SessionFor(date) is { } session)
            {
                yield return session;
            }
        }
    }

    private MarketSession FirstSession(DateTimeOffset after, Func<MarketSession, bool> accept)
    {
        // A session may end on the next New York date (an always-open day ends at the following midnight), so the
        // search starts one day early.
        var start = NewYorkTime.DateOf(after).AddDays(-1);
        for (var offset = 0; offset <= MaxDaysWithoutSession; offset++)
        {
            if (SessionFor(start.AddDays(offset)) is { } session && accept(session))
            {
                return session;
            }
        }

        throw new InvalidOperationException($"No session within {MaxDaysWithoutSession} days after {after:O}.");
    }
}
