using StockGod.Trading.Market;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Tests.Strategies;

public sealed class StrategiesTests
{
    private static readonly DateOnly Start = new(2024, 1, 2);

    [Fact]
    public void Sma_crossover_buys_on_an_upward_cross_and_sells_a_holding_on_a_downward_cross()
    {
        var strategy = new SmaCrossoverStrategy(new SmaCrossoverParameters(2, 3));
        var up = StrategyTestBars.Daily(Start, 10m, 10m, 10m, 10m, 13m);
        var down = StrategyTestBars.Daily(Start, 10m, 10m, 10m, 10m, 7m);

        var buy = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["U"] = up })));
        var sell = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["D"] = down }, new() { ["D"] = new Holding(5m, 10m) })));
        var noHolding = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["D"] = down })));

        Assert.Equal((SignalAction.Buy, "SMA(2) 11.50 vs SMA(3) 11.00: fast crossed above slow"), (buy.Action, buy.Reason));
        Assert.Equal(1m, buy.Strength); // a 4.5 % gap is beyond the 2 % of full strength
        Assert.Equal(SignalAction.Sell, sell.Action);
        Assert.Equal(SignalAction.Hold, noHolding.Action);
    }

    [Fact]
    public void Rsi_mean_reversion_buys_oversold_and_sells_overbought_holdings()
    {
        var strategy = new RsiMeanReversionStrategy(new RsiMeanReversionParameters(3, 30m, 70m));
        var falling = StrategyTestBars.Daily(Start, 20m, 19m, 18m, 17m, 16m);
        var rising = StrategyTestBars.Daily(Start, 16m, 17m, 18m, 19m, 20m);

        var buy = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["F"] = falling })));
        var sell = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["R"] = rising }, new() { ["R"] = new Holding(1m, 16m) })));
        var short_ = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["S"] = StrategyTestBars.Daily(Start, 1m, 2m) })));

        Assert.Equal((SignalAction.Buy, 1m, "RSI(3) 0.00 below oversold 30"), (buy.Action, buy.Strength, buy.Reason));
        Assert.Equal((SignalAction.Sell, 1m), (sell.Action, sell.Strength));
        Assert.Equal("needs 4 completed bars, has 2", short_.Reason);
    }

    [Fact]
    public void Momentum_rotation_rebalances_into_the_top_n_on_the_first_bar_of_a_month_only()
    {
        var strategy = new MomentumRotationStrategy(new MomentumRotationParameters(LookbackDays: 2, TopN: 2, Rebalance: RebalanceFrequency.Monthly));
        // Trading days 2024-01-29, 30, 31, 2024-02-01: the last bar opens February.
        var first = new DateOnly(2024, 1, 29);
        var bars = new Dictionary<string, Bar[]>
        {
            ["AAA"] = StrategyTestBars.Daily(first, 10m, 10m, 10m, 13m), // +30 %
            ["BBB"] = StrategyTestBars.Daily(first, 10m, 10m, 10m, 12m), // +20 %
            ["CCC"] = StrategyTestBars.Daily(first, 10m, 10m, 10m, 11m), // +10 %, held
            ["DDD"] = StrategyTestBars.Daily(first, 10m, 10m, 10m, 9m),  // -10 %
        };
        var holdings = new Dictionary<string, Holding> { ["CCC"] = new(3m, 10m), ["BBB"] = new(1m, 10m) };

        var signals = strategy.Evaluate(StrategyTestBars.AfterLastClose(bars, holdings)).ToDictionary(s => s.Symbol);
        var midMonth = strategy.Evaluate(StrategyTestBars.AfterLastClose(bars.ToDictionary(b => b.Key, b => b.Value[..3]), holdings));

        Assert.Equal((SignalAction.Buy, 1m), (signals["AAA"].Action, signals["AAA"].Strength));
        Assert.Equal(SignalAction.Hold, signals["BBB"].Action); // leader already held
        Assert.Equal(SignalAction.Sell, signals["CCC"].Action);
        Assert.Equal(SignalAction.Hold, signals["DDD"].Action);
        Assert.All(midMonth, s => Assert.Equal(SignalAction.Hold, s.Action));
    }

    [Fact]
    public void Donchian_breakout_buys_a_new_high_and_exits_at_the_atr_stop()
    {
        var strategy = new DonchianBreakoutStrategy(new DonchianBreakoutParameters(EntryPeriod: 3, ExitPeriod: 2, AtrPeriod: 3, AtrStopMultiple: 2m));
        var breakout = StrategyTestBars.Daily(Start, 10m, 11m, 10m, 11m, 12m);
        var slump = StrategyTestBars.Daily(Start, 20m, 20m, 20m, 20m, 19m);

        var buy = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["B"] = breakout })));
        // Entry 20, ATR of closes-only bars = (0 + 0 + 1) / 3 after smoothing -> stop just under 20: a close at 19 is below it.
        var stop = Assert.Single(strategy.Evaluate(StrategyTestBars.AfterLastClose(new() { ["S"] = slump }, new() { ["S"] = new Holding(10m, 20m) })));

        Assert.Equal(SignalAction.Buy, buy.Action);
        Assert.Contains("broke above the 3-day high 11.00", buy.Reason, StringComparison.Ordinal);
        Assert.Equal(SignalAction.Sell, stop.Action);
        Assert.Contains("below the ATR stop", stop.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_creates_each_strategy_by_type_name_from_json()
    {
        var created = StrategyRegistry.Default.Create("sma_crossover", """{ "fastPeriod": 5, "slowPeriod": 20 }""");

        Assert.True(created.Succeeded);
        Assert.Equal(new SmaCrossoverParameters(5, 20), created.Parameters);
        Assert.Equal(["donchian_breakout", "momentum_rotation", "rsi_mean_reversion", "sma_crossover"], StrategyRegistry.Default.TypeNames.Order());
        Assert.All(StrategyRegistry.Default.TypeNames, name => Assert.Equal(name, StrategyRegistry.Default.Create(name, "{}").Strategy!.TypeName));
        Assert.Equal(RebalanceFrequency.Weekly, ((MomentumRotationParameters)StrategyRegistry.Default.Create("momentum_rotation", """{ "rebalance": "Weekly" }""").Parameters!).Rebalance);
    }

    [Theory]
    [InlineData("sma_crossover", """{ "fastPeriod": 30, "slowPeriod": 10 }""", "fastPeriod", "fastPeriod must be less than slowPeriod.")]
    [InlineData("sma_crossover", """{ "fastPeriod": 1 }""", "fastPeriod", "fastPeriod must be between 2 and 400 (was 1).")]
    [InlineData("rsi_mean_reversion", """{ "oversold": 80, "overbought": 70 }""", "oversold", "oversold must be less than overbought.")]
    [InlineData("momentum_rotation", """{ "topN": 0 }""", "topN", "topN must be between 1 and 500 (was 0).")]
    [InlineData("donchian_breakout", """{ "exitPeriod": 30 }""", "exitPeriod", "exitPeriod must not be greater than entryPeriod.")]
    [InlineData("nonsense", "{}", "type", "unknown strategy type 'nonsense'; known types: donchian_breakout, momentum_rotation, rsi_mean_reversion, sma_crossover.")]
    public void Registry_refuses_invalid_parameters_with_a_message_per_field(string type, string json, string field, string message)
    {
        var created = StrategyRegistry.Default.Create(type, json);

        Assert.False(created.Succeeded);
        Assert.Contains(new ParameterError(field, message), created.Errors);
    }

    [Theory]
    [InlineData("""{ "fastPeriod": 5, "slowPerod": 20 }""", "slowPerod")]
    [InlineData("""{ "fastPeriod": "five" }""", "fastPeriod")]
    [InlineData("""[1, 2]""", "parameters")]
    public void Registry_refuses_unknown_fields_and_wrong_types_naming_the_field(string json, string field)
    {
        var created = StrategyRegistry.Default.Create("sma_crossover", json);

        Assert.False(created.Succeeded);
        Assert.Equal(field, Assert.Single(created.Errors).Field);
    }
}
