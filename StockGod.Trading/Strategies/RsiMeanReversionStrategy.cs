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
public sealed class RsiMeanReversionStrategy(RsiMeanReversionParameters parameters) : IPerSymbolStrategy
{
    public const string Name = "rsi_mean_reversion";

    public string TypeName => Name;

    // Wilder's smoothing remembers every change, so the whole history counts.
    public int Lookback => int.MaxValue;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context) => this.EvaluateEachSymbol(context);

    public ISymbolEvaluator CreateEvaluator() => new Evaluator(parameters);

    private sealed class Evaluator(RsiMeanReversionParameters parameters) : ISymbolEvaluator
    {
        private readonly RelativeStrengthIndex _rsi = new(parameters.Period);
        private int _bars;

        public void Add(in Bar bar)
        {
            _rsi.Update(bar.Close);
            _bars++;
        }

        public SignalAction Decide(Holding holding)
        {
            if (!_rsi.IsReady)
            {
                return SignalAction.Hold;
            }

            var value = _rsi.Value;
            return value < parameters.Oversold ? SignalAction.Buy
                : value > parameters.Overbought && holding.Quantity > 0m ? SignalAction.Sell
                : SignalAction.Hold;
        }

        public StrategySignal Signal(string symbol, Holding holding)
        {
            if (!_rsi.IsReady)
            {
                return StrategySignal.Hold(symbol, $"needs {_rsi.WarmUp} completed bars, has {_bars}");
            }

            var value = _rsi.Value;
            var text = string.Create(CultureInfo.InvariantCulture, $"RSI({parameters.Period}) {value:0.00}");
            return Decide(holding) switch
            {
                SignalAction.Buy => StrategySignal.Buy(symbol, (parameters.Oversold - value) / parameters.Oversold, $"{text} below oversold {parameters.Oversold}"),
                SignalAction.Sell => StrategySignal.Sell(symbol, (value - parameters.Overbought) / (100m - parameters.Overbought), $"{text} above overbought {parameters.Overbought}"),
                _ => StrategySignal.Hold(symbol, $"{text} between {parameters.Oversold} and {parameters.Overbought}"),
            };
        }
    }
}
