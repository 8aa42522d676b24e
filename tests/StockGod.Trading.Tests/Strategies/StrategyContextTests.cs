using StockGod.Trading.Calendar;
using StockGod.Trading.Market;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Tests.Strategies;

public sealed class StrategyContextTests
{
    private static readonly Bar[] Bars = StrategyTestBars.Daily(new DateOnly(2024, 7, 1), 10m, 11m, 12m, 13m); // 1, 2, 3 (early close), 5 July

    [Fact]
    public void A_daily_bar_is_visible_only_from_its_session_close_early_closes_included()
    {
        var beforeEarlyClose = new DateTimeOffset(2024, 7, 3, 12, 59, 59, TimeSpan.FromHours(-4));
        var atEarlyClose = new DateTimeOffset(2024, 7, 3, 13, 0, 0, TimeSpan.FromHours(-4));

        Assert.Equal([10m, 11m], Context(beforeEarlyClose).BarsOf("X").Select(b => b.Close));
        Assert.Equal([10m, 11m, 12m], Context(atEarlyClose).BarsOf("X").Select(b => b.Close));
        Assert.Equal([10m, 11m, 12m], Context(atEarlyClose.AddDays(2)).BarsOf("X").Select(b => b.Close)); // Friday 5 July, before its close
    }

    [Fact]
    public void A_strategy_cannot_act_on_a_bar_that_is_not_complete()
    {
        // A fast/slow crossover happens only on the last bar; before it completes there is nothing to act on.
        var bars = StrategyTestBars.Daily(new DateOnly(2024, 3, 1), 10m, 10m, 10m, 10m, 13m);
        var strategy = new SmaCrossoverStrategy(new SmaCrossoverParameters(2, 3));
        var lastClose = StrategyContext.CompletesAt(bars[^1], BarTimeframe.Day1, NyseCalendar.Instance);

        var during = strategy.Evaluate(Context(lastClose.AddMinutes(-1), bars));
        var after = strategy.Evaluate(Context(lastClose, bars));

        Assert.Equal(SignalAction.Hold, Assert.Single(during).Action);
        Assert.Equal(SignalAction.Buy, Assert.Single(after).Action);
    }

    [Fact]
    public void Intraday_bars_complete_at_their_start_plus_their_length()
    {
        var start = new DateTimeOffset(2024, 7, 1, 13, 30, 0, TimeSpan.Zero);
        var bar = new Bar(start, 1m, 1m, 1m, 1m, 1);

        Assert.Equal(start.AddMinutes(5), StrategyContext.CompletesAt(bar, BarTimeframe.Minute5, NyseCalendar.Instance));
        Assert.Equal(start.AddHours(1), StrategyContext.CompletesAt(bar, BarTimeframe.Hour1, NyseCalendar.Instance));
    }

    private static StrategyContext Context(DateTimeOffset asOf, Bar[]? bars = null) =>
        StrategyContext.Create(asOf, ["X"], BarTimeframe.Day1, new Dictionary<string, IReadOnlyList<Bar>> { ["X"] = bars ?? Bars }, new Dictionary<string, Holding>(), NyseCalendar.Instance);
}
