using System.Globalization;
using StockGod.Trading.Indicators;

namespace StockGod.Trading.Strategies;

public sealed record SmaCrossoverParameters(int FastPeriod = 10, int SlowPeriod = 30) : IStrategyParameters
{
    public IEnumerable<ParameterError> Validate()
    {
        var errors = ParameterRules.InRange("fastPeriod", FastPeriod, 2, 400)
            .Concat(ParameterRules.InRange("slowPeriod", SlowPeriod, 3, 500)).ToList();
        if (FastPeriod >= SlowPeriod)
        {
            errors.Add(new ParameterError("fastPeriod", "fastPeriod must be less than slowPeriod."));
        }

        return errors;
    }
}

/// <summary>
/// Buys when the fast SMA crosses above the slow one on the latest completed bar; sells a holding when it crosses
/// below. Strength grows with the gap between the averages (a 2 % gap is full strength).
/// </summary>
public sealed class SmaCrossoverStrategy(SmaCrossoverParameters parameters) : IStrategy
{
    public const string Name = "sma_crossover";
    private const decimal FullStrengthGap = 0.02m;

    public string TypeName => Name;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return [.. context.Universe.Select(symbol => Evaluate(symbol, context))];
    }

    private StrategySignal Evaluate(string symbol, StrategyContext context)
    {
        var bars = context.BarsOf(symbol);
        if (bars.Count < parameters.SlowPeriod + 1)
        {
            return StrategySignal.Hold(symbol, $"needs {parameters.SlowPeriod + 1} completed bars, has {bars.Count}");
        }

        // Starting one bar before the slow window, the values just before the last update are the prior bar's.
        var fast = new SimpleMovingAverage(parameters.FastPeriod);
        var slow = new SimpleMovingAverage(parameters.SlowPeriod);
        decimal previousFast = 0m, previousSlow = 0m;
        for (var i = bars.Count - parameters.SlowPeriod - 1; i < bars.Count; i++)
        {
            previousFast = fast.Value;
            previousSlow = slow.Value;
            fast.Update(bars[i].Close);
            slow.Update(bars[i].Close);
        }

        var strength = Math.Abs(fast.Value - slow.Value) / slow.Value / FullStrengthGap;
        var levels = string.Create(CultureInfo.InvariantCulture, $"SMA({parameters.FastPeriod}) {fast.Value:0.00} vs SMA({parameters.SlowPeriod}) {slow.Value:0.00}");

        if (previousFast <= previousSlow && fast.Value > slow.Value)
        {
            return StrategySignal.Buy(symbol, strength, $"{levels}: fast crossed above slow");
        }

        if (previousFast >= previousSlow && fast.Value < slow.Value && context.Holds(symbol))
        {
            return StrategySignal.Sell(symbol, strength, $"{levels}: fast crossed below slow");
        }

        return StrategySignal.Hold(symbol, $"{levels}: no crossover");
    }
}
