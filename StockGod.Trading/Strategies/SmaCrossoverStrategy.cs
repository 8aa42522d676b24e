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
public sealed class SmaCrossoverStrategy(SmaCrossoverParameters parameters) : IPerSymbolStrategy
{
    public const string Name = "sma_crossover";
    private const decimal FullStrengthGap = 0.02m;

    public string TypeName => Name;

    // The slow window plus the bar before it (for the previous values) determine a decision exactly.
    public int Lookback => parameters.SlowPeriod + 1;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context) => this.EvaluateEachSymbol(context);

    public ISymbolEvaluator CreateEvaluator() => new Evaluator(parameters);

    private sealed class Evaluator(SmaCrossoverParameters parameters) : ISymbolEvaluator
    {
        private readonly SimpleMovingAverage _fast = new(parameters.FastPeriod);
        private readonly SimpleMovingAverage _slow = new(parameters.SlowPeriod);
        private int _bars;
        private decimal _fastValue, _slowValue, _previousFast, _previousSlow;

        public void Add(in Bar bar)
        {
            _fast.Update(bar.Close);
            _slow.Update(bar.Close);
            _bars++;
            _previousFast = _fastValue;
            _previousSlow = _slowValue;
            _fastValue = _fast.Value;
            _slowValue = _slow.Value;
        }

        public SignalAction Decide(Holding holding)
        {
            if (_bars < parameters.SlowPeriod + 1)
            {
                return SignalAction.Hold;
            }

            if (_previousFast <= _previousSlow && _fastValue > _slowValue)
            {
                return SignalAction.Buy;
            }

            return _previousFast >= _previousSlow && _fastValue < _slowValue && holding.Quantity > 0m ? SignalAction.Sell : SignalAction.Hold;
        }

        public StrategySignal Signal(string symbol, Holding holding)
        {
            if (_bars < parameters.SlowPeriod + 1)
            {
                return StrategySignal.Hold(symbol, $"needs {parameters.SlowPeriod + 1} completed bars, has {_bars}");
            }

            var strength = Math.Abs(_fastValue - _slowValue) / _slowValue / FullStrengthGap;
            var levels = string.Create(CultureInfo.InvariantCulture, $"SMA({parameters.FastPeriod}) {_fastValue:0.00} vs SMA({parameters.SlowPeriod}) {_slowValue:0.00}");
            return Decide(holding) switch
            {
                SignalAction.Buy => StrategySignal.Buy(symbol, strength, $"{levels}: fast crossed above slow"),
                SignalAction.Sell => StrategySignal.Sell(symbol, strength, $"{levels}: fast crossed below slow"),
                _ => StrategySignal.Hold(symbol, $"{levels}: no crossover"),
            };
        }
    }
}
