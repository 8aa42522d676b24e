using System.Globalization;
using StockGod.Trading.Indicators;

namespace StockGod.Trading.Strategies;

public sealed record RsiMeanReversionParameters(int Period = 14, decimal Oversold = 30m, decimal Overbought = 70m) : IStrategyParameters
{
    public IEnumerable<ParameterError> Validate()
    {
        var errors = ParameterRules.InRange("period", Period, 2, 200)
            .Concat(ParameterRules.InRange("oversold", Oversold, 1m, 99m))
            .Concat(ParameterRules.InRange("overbought", Overbought, 1m, 99m)).ToList();
        if (Oversold >= Overbought)
        {
            errors.Add(new ParameterError("oversold", "oversold must be less than overbought."));
        }

        return errors;
    }
}

/// <summary>
/// Buys when Wilder's RSI is below the oversold level and sells a holding above the overbought level; strength is
/// how far past the level RSI is.
/// </summary>
public sealed class RsiMeanReversionStrategy(RsiMeanReversionParameters parameters) : IStrategy
{
    public const string Name = "rsi_mean_reversion";

    public string TypeName => Name;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return [.. context.Universe.Select(symbol => Evaluate(symbol, context))];
    }

    private StrategySignal Evaluate(string symbol, StrategyContext context)
    {
        var bars = context.BarsOf(symbol);
        var rsi = new RelativeStrengthIndex(parameters.Period);
        if (bars.Count < rsi.WarmUp)
        {
            return StrategySignal.Hold(symbol, $"needs {rsi.WarmUp} completed bars, has {bars.Count}");
        }

        foreach (var bar in bars)
        {
            rsi.Update(bar.Close);
        }

        var value = rsi.Value;
        var text = string.Create(CultureInfo.InvariantCulture, $"RSI({parameters.Period}) {value:0.00}");
        if (value < parameters.Oversold)
        {
            return StrategySignal.Buy(symbol, (parameters.Oversold - value) / parameters.Oversold, $"{text} below oversold {parameters.Oversold}");
        }

        if (value > parameters.Overbought && context.Holds(symbol))
        {
            return StrategySignal.Sell(symbol, (value - parameters.Overbought) / (100m - parameters.Overbought), $"{text} above overbought {parameters.Overbought}");
        }

        return StrategySignal.Hold(symbol, $"{text} between {parameters.Oversold} and {parameters.Overbought}");
    }
}
