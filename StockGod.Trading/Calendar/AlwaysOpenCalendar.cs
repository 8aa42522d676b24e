namespace StockGod.Trading.Calendar;

/// <summary>
/// A market that never closes: every New York date is one session from midnight to the next midnight (23 or 25 hours
/// on DST change days). The simulated exchange uses it so a demo trades at any hour.
/// </summary>
public sealed class AlwaysOpenCalendar : SessionCalendar
{
    public static AlwaysOpenCalendar Instance { get; } = new();

    public override MarketSession SessionFor(DateOnly date) =>
        new(date, NewYorkTime.StartOfDay(date), NewYorkTime.StartOfDay(date.AddDays(1)));
}
