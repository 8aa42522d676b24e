using System.Collections.Immutable;
using StockGod.Testing;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Market;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Tests.Backtesting;

/// <summary>The engine on the real S&amp;P 500 history and on small synthetic series.</summary>
public sealed class BacktestEngineTests
{
    private static readonly RiskLimits AllIn = new(1m, decimal.MaxValue, 0m, 1);

    [Fact]
    public void Buying_one_stock_and_holding_it_ends_at_exactly_the_price_ratio_less_costs()
    {
        var aapl = SharedData.DailyBars.BarsBySymbol["AAPL"];
        var commission = new PerShareCommissionModel(0.005m, 1m, 0.01m);
        var settings = Settings(["AAPL"], aapl, BuyOnceStrategy.Name) with { Commission = commission, SlippageBps = 5m, Limits = AllIn };

        var result = new BacktestEngine(BuyOnceRegistry(), NyseCalendar.Instance).Run(settings, SharedData.DailyBars.BarsBySymbol, null, TestContext.Current.CancellationToken);

        // Independently: the sizer buys floor(100,000 / first close) shares at the first close; they fill at the
        // second day's open plus 5 bp, cut to what the cash pays for including the commission (max(0.005 × q, 1),
        // capped at 1 % of the value); the rest stays cash and the shares end at the last close.
        var price = aapl[1].Open * 1.0005m;
        var quantity = decimal.Floor(100_000m / aapl[0].Close);
        while ((quantity * price) + Math.Min(Math.Max(quantity * 0.005m, 1m), quantity * price * 0.01m) > 100_000m)
        {
            quantity--;
        }

        var fee = Math.Round(Math.Min(Math.Max(quantity * 0.005m, 1m), quantity * price * 0.01m), 8, MidpointRounding.ToEven);
        var expected = 100_000m - (quantity * price) - fee + (quantity * aapl[^1].Close);

        Assert.Equal(expected, result.Strategy.Statistics.FinalEquity);
        Assert.Equal((expected / 100_000m) - 1m, result.Strategy.Statistics.TotalReturn);
        var fill = Assert.Single(result.Fills);
        Assert.Equal((OrderSide.Buy, quantity, price, fee), (fill.Side, fill.Quantity, fill.Price, fill.Commission));
        var trade = Assert.Single(result.Strategy.Trades);
        Assert.True(trade.IsOpen);
        Assert.Equal((quantity * aapl[^1].Close) - (quantity * price) - fee, trade.ProfitAndLoss);
        Assert.Equal(aapl.Length, result.Strategy.EquityCurve.Count);
    }

    [Fact]
    public void The_benchmark_of_one_stock_buys_at_the_first_open_and_ends_at_the_last_close()
    {
        var msft = SharedData.DailyBars.BarsBySymbol["MSFT"];
        var settings = Settings(["MSFT"], msft, SmaCrossoverStrategy.Name) with { SlippageBps = 10m };

        var benchmark = Engine().Run(settings, SharedData.DailyBars.BarsBySymbol, null, TestContext.Current.CancellationToken).Benchmark;

        // No commission: floor(100,000 / (first open × 1.001)) shares, leftover cash, marked at the last close.
        var price = msft[0].Open * 1.001m;
        var quantity = decimal.Floor(100_000m / price);
        var expected = 100_000m - (quantity * price) + (quantity * msft[^1].Close);
        Assert.Equal(expected, benchmark.Statistics.FinalEquity);
        Assert.Equal((expected / 100_000m) - 1m, benchmark.Statistics.TotalReturn);
    }

    [Fact]
    public void Orders_decided_at_a_close_fill_at_the_next_open_and_strategies_only_see_completed_bars()
    {
        var bars = SyntheticBars(10);
        var seen = new List<(DateTimeOffset AsOf, DateOnly LatestBar, int Count)>();
        var registry = BuyOnceRegistry(seen);
        var settings = Settings(["X"], bars, BuyOnceStrategy.Name) with { Limits = AllIn };

        var result = new BacktestEngine(registry, NyseCalendar.Instance).Run(settings, new Dictionary<string, ImmutableArray<Bar>> { ["X"] = bars }, null, TestContext.Current.CancellationToken);

        // One evaluation per day, as of that day's close, seeing exactly the bars up to and including that day.
        Assert.Equal(bars.Length, seen.Count);
        for (var d = 0; d < bars.Length; d++)
        {
            var date = NewYorkTime.DateOf(bars[d].Timestamp);
            Assert.Equal(NyseCalendar.Instance.SessionFor(date)!.Close, seen[d].AsOf);
            Assert.Equal((date, d + 1), (seen[d].LatestBar, seen[d].Count));
        }

        // Decided at the first close (100 → 1,000 shares), filled at the second bar's open (101.5), not its close; at
        // that price the cash pays for floor(100,000 / 101.5) = 985 shares.
        var fill = Assert.Single(result.Fills);
        Assert.Equal((NewYorkTime.DateOf(bars[0].Timestamp), NewYorkTime.DateOf(bars[1].Timestamp)), (fill.DecidedOn, fill.Date));
        Assert.Equal(bars[1].Open, fill.Price);
        Assert.Equal(985m, fill.Quantity);
    }

    [Fact]
    public void Results_up_to_a_day_do_not_depend_on_any_later_bar()
    {
        // If the engine leaked a future bar into a decision, cutting the history short would change earlier results.
        var history = SharedData.DailyBars.BarsBySymbol;
        var universe = history.Keys.Order(StringComparer.Ordinal).Take(60).ToList();
        var full = Settings(universe, history["AAPL"], SmaCrossoverStrategy.Name);
        var cut = NewYorkTime.DateOf(history["AAPL"][700].Timestamp);

        var whole = Engine().Run(full, history, null, TestContext.Current.CancellationToken);
        var truncated = Engine().Run(full with { End = cut }, history, null, TestContext.Current.CancellationToken);

        Assert.NotEmpty(truncated.Fills);
        Assert.Equal(truncated.Strategy.EquityCurve, whole.Strategy.EquityCurve.Where(p => p.Date <= cut));
        Assert.Equal(truncated.Fills, whole.Fills.Where(f => f.Date <= cut));
    }

    [Fact]
    public void A_rerun_gives_identical_results()
    {
        var history = SharedData.DailyBars.BarsBySymbol;
        var settings = Settings([.. history.Keys.Order(StringComparer.Ordinal).Take(100)], history["AAPL"], SmaCrossoverStrategy.Name)
            with { SlippageBps = 5m, Commission = new PerShareCommissionModel(0.005m, 1m, 0.01m) };

        var first = Engine().Run(settings, history, null, TestContext.Current.CancellationToken);
        var second = Engine().Run(settings, history, null, TestContext.Current.CancellationToken);

        Assert.True(first.Fills.Count > 100, $"expected a busy run, got {first.Fills.Count} fills");
        Assert.Equal(first.Strategy.EquityCurve, second.Strategy.EquityCurve);
        Assert.Equal(first.Strategy.DailyReturns, second.Strategy.DailyReturns);
        Assert.Equal(first.Fills, second.Fills);
        Assert.Equal(first.Strategy.Trades, second.Strategy.Trades);
        Assert.Equal(first.Strategy.Statistics, second.Strategy.Statistics);
        Assert.Equal(first.Benchmark.Statistics, second.Benchmark.Statistics);
    }

    [Theory]
    [InlineData(SmaCrossoverStrategy.Name)]
    [InlineData(RsiMeanReversionStrategy.Name)]
    [InlineData(DonchianBreakoutStrategy.Name)]
    public void The_streaming_path_trades_exactly_as_the_live_context_path(string strategy)
    {
        // The same strategy, once through its per-symbol evaluators and once only through Evaluate(context), which
        // replays every symbol's history each day as live trading does (so: two years, 15 symbols).
        var history = SharedData.DailyBars.BarsBySymbol;
        var settings = Settings([.. history.Keys.Order(StringComparer.Ordinal).Skip(200).Take(15)], history["AAPL"][..500], strategy);
        var contextOnly = new StrategyRegistry()
            .Register<SmaCrossoverParameters>(SmaCrossoverStrategy.Name, p => new ContextOnlyStrategy(new SmaCrossoverStrategy(p)))
            .Register<RsiMeanReversionParameters>(RsiMeanReversionStrategy.Name, p => new ContextOnlyStrategy(new RsiMeanReversionStrategy(p)))
            .Register<DonchianBreakoutParameters>(DonchianBreakoutStrategy.Name, p => new ContextOnlyStrategy(new DonchianBreakoutStrategy(p)));

        var streaming = Engine().Run(settings, history, null, TestContext.Current.CancellationToken);
        var live = new BacktestEngine(contextOnly, NyseCalendar.Instance).Run(settings, history, null, TestContext.Current.CancellationToken);

        Assert.Contains(streaming.Fills, f => f.Side == OrderSide.Sell);
        Assert.Equal(streaming.Fills, live.Fills);
        Assert.Equal(streaming.Strategy.EquityCurve, live.Strategy.EquityCurve);
    }

    [Fact]
    public void Closed_trades_account_for_fills_and_cash_for_everything()
    {
        var history = SharedData.DailyBars.BarsBySymbol;
        var settings = Settings([.. history.Keys.Order(StringComparer.Ordinal).Take(40)], history["AAPL"], SmaCrossoverStrategy.Name)
            with { SlippageBps = 5m, Commission = new PerShareCommissionModel(0.005m, 1m, 0.01m) };

        var result = Engine().Run(settings, history, null, TestContext.Current.CancellationToken);

        // Cash at the end = initial − Σ buys + Σ sells − Σ commissions.
        var cash = settings.InitialCash + result.Fills.Sum(f => (f.Side == OrderSide.Buy ? -1m : 1m) * f.Quantity * f.Price) - result.Fills.Sum(f => f.Commission);
        Assert.Equal(cash, result.Strategy.EquityCurve[^1].Cash);
        // Realised P&L of closed trades + open P&L = final equity − initial.
        Assert.Equal(result.Strategy.Statistics.FinalEquity - settings.InitialCash, result.Strategy.Trades.Sum(t => t.ProfitAndLoss));
        Assert.All(result.Fills, f => Assert.True(f.Date > f.DecidedOn));
        Assert.All(result.Strategy.EquityCurve, p => Assert.True(p.Cash >= 0m, $"cash went negative on {p.Date}"));
    }

    [Fact]
    public void Progress_is_reported_to_the_end_and_cancellation_stops_the_run()
    {
        var bars = SyntheticBars(300);
        var data = new Dictionary<string, ImmutableArray<Bar>> { ["X"] = bars };
        var settings = Settings(["X"], bars, SmaCrossoverStrategy.Name);
        var reports = new List<BacktestProgress>();

        Engine().Run(settings, data, new SynchronousProgress(reports.Add), TestContext.Current.CancellationToken);

        Assert.Equal(new BacktestProgress(300, 300), reports[^1]);
        Assert.Equal(reports.OrderBy(r => r.DaysDone), reports);

        using var cancellation = new CancellationTokenSource();
        var stopped = new SynchronousProgress(p =>
        {
            if (p.DaysDone >= 30)
            {
                cancellation.Cancel();
            }
        });
        Assert.Throws<OperationCanceledException>(() => Engine().Run(settings, data, stopped, cancellation.Token));
    }

    [Fact]
    public void Invalid_settings_and_parameters_are_refused_with_every_problem()
    {
        var bars = SyntheticBars(5);
        var settings = Settings(["X"], bars, SmaCrossoverStrategy.Name) with { InitialCash = 0m, ParametersJson = """{"fastPeriod":30,"slowPeriod":10}""" };

        var error = Assert.Throws<ArgumentException>(() => Engine().Run(settings, new Dictionary<string, ImmutableArray<Bar>> { ["X"] = bars }, null, TestContext.Current.CancellationToken));

        Assert.Contains("initial cash must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("fastPeriod must be less than slowPeriod", error.Message, StringComparison.Ordinal);
    }

    private static BacktestEngine Engine() => new();

    private static StrategyRegistry BuyOnceRegistry(List<(DateTimeOffset AsOf, DateOnly LatestBar, int Count)>? seen = null) =>
        new StrategyRegistry().Register<SpyParameters>(BuyOnceStrategy.Name, _ => new BuyOnceStrategy(seen));

    private static BacktestSettings Settings(IReadOnlyList<string> universe, ImmutableArray<Bar> range, string strategy) => new()
    {
        StrategyType = strategy,
        Universe = universe,
        Start = NewYorkTime.DateOf(range[0].Timestamp),
        End = NewYorkTime.DateOf(range[^1].Timestamp),
        InitialCash = 100_000m,
    };

    /// <summary>Consecutive NYSE days; open = 100 + day + 0.5, close = 100 + day, so an open differs from every close.</summary>
    private static ImmutableArray<Bar> SyntheticBars(int days) =>
    [
        .. NyseCalendar.Instance.TradingDays(new DateOnly(2024, 1, 2), new DateOnly(2026, 12, 31)).Take(days)
            .Select((session, d) => new Bar(NewYorkTime.StartOfDay(session.Date), 100m + d + 0.5m, 101m + d, 99m + d, 100m + d, 1_000)),
    ];

    private sealed record SpyParameters : IStrategyParameters
    {
        public IEnumerable<ParameterError> Validate() => [];
    }

    /// <summary>Buys each symbol it does not hold, and records what every evaluation could see.</summary>
    private sealed class BuyOnceStrategy(List<(DateTimeOffset AsOf, DateOnly LatestBar, int Count)>? seen = null) : IStrategy
    {
        public const string Name = "buy_once";

        public string TypeName => Name;

        public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context) =>
        [
            .. context.Universe.Select(symbol =>
            {
                var bars = context.BarsOf(symbol);
                seen?.Add((context.AsOf, NewYorkTime.DateOf(bars[^1].Timestamp), bars.Count));
                return context.Holds(symbol) ? StrategySignal.Hold(symbol, "held") : StrategySignal.Buy(symbol, 1m, "buy and hold");
            }),
        ];
    }

    /// <summary>Hides a strategy's per-symbol form, so the engine can only call Evaluate(context) as live trading does.</summary>
    private sealed class ContextOnlyStrategy(IStrategy inner) : IStrategy
    {
        public string TypeName => inner.TypeName;

        public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context) => inner.Evaluate(context);
    }

    private sealed class SynchronousProgress(Action<BacktestProgress> report) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value) => report(value);
    }
}
