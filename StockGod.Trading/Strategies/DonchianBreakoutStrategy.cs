using System.Globalization;
using StockGod.Trading.Indicators;

namespace StockGod.Trading.Strategies;

public sealed record DonchianBreakoutParameters(int EntryPeriod = 20, int ExitPeriod = 10, int AtrPeriod = 14, decimal AtrStopMultiple = 2m) : IStrategyParameters
{
    public IEnumerable<ParameterError> Validate()
    {
        var errors = ParameterRules.InRange("entryPeriod", EntryPeriod, 2, 400)
            .Concat(ParameterRules.InRange("exitPeriod", ExitPeriod, 2, 400))
            .Concat(ParameterRules.InRange("atrPeriod", AtrPeriod, 2, 200))
            .Concat(ParameterRules.InRange("atrStopMultiple", AtrStopMultiple, 0.1m, 20m)).ToList();
        if (ExitPeriod > EntryPeriod)
        {
            errors.Add(new ParameterError("exitPeriod", "exitPeriod must not be greater than entryPeriod."));
        }

        return errors;
    }
}

/// <summary>
/// Turtle-style breakout: buys when the latest close is above the highest high of the previous entry-period bars;
/// sells a holding when the close falls below the lowest low of the previous exit-period bars, or below the stop at
/// the average entry price minus a multiple of ATR. Strength is the breakout's size in ATRs (one ATR is full).
/// </summary>
public sealed class DonchianBreakoutStrategy(DonchianBreakoutParameters parameters) : IPerSymbolStrategy
{
    public const string Name = "donchian_breakout";

    public string TypeName => Name;

    // Wilder's ATR remembers every bar, so the whole history counts.
    public int Lookback => int.MaxValue;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context) => this.EvaluateEachSymbol(context);

    public ISymbolEvaluator CreateEvaluator() => new Evaluator(parameters);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class Evaluator(DonchianBreakoutParameters parameters) : ISymbolEvaluator
    {
        private readonly DonchianChannel _entry = new(parameters.EntryPeriod);
        private readonly DonchianChannel _exit = new(parameters.ExitPeriod);
        private readonly AverageTrueRange _atr = new(parameters.AtrPeriod);
        private readonly int _needed = Math.Max(parameters.EntryPeriod, parameters.AtrPeriod) + 1;
        private int _bars;
        private decimal _close;
        private DonchianValue _entryChannel;
        private DonchianValue _exitChannel;

        public void Add(in Bar bar)
        {
            // Channels of the bars BEFORE the latest one: a close can only break out of a range it is not part of.
            _entryChannel = _entry.Value;
            _exitChannel = _exit.Value;
            _entry.Update(bar);
            _exit.Update(bar);
            _atr.Update(bar);
            _close = bar.Close;
            _bars++;
        }

        public SignalAction Decide(Holding holding)
        {
            if (_bars < _needed)
            {
                return SignalAction.Hold;
            }

            if (holding.Quantity > 0m)
            {
                return _close < Stop(holding) || _close < _exitChannel.Lower ? SignalAction.Sell : SignalAction.Hold;
            }

            return _close > _entryChannel.Upper ? SignalAction.Buy : SignalAction.Hold;
        }

        public StrategySignal Signal(string symbol, Holding holding)
        {
            if (_bars < _needed)
            {
                return StrategySignal.Hold(symbol, $"needs {_needed} completed bars, has {_bars}");
            }

            var atr = _atr.Value;
            var upper = _entryChannel.Upper;
            var lower = _exitChannel.Lower;
            if (holding.Quantity > 0m)
            {
                var stop = Stop(holding);
                if (_close < stop)
                {
                    return StrategySignal.Sell(symbol, 1m, Text($"close {_close:0.00} below the ATR stop {stop:0.00} (entry − {parameters.AtrStopMultiple} × ATR {atr:0.00})"));
                }

                if (_close < lower)
                {
                    return StrategySignal.Sell(symbol, 1m, Text($"close {_close:0.00} below the {parameters.ExitPeriod}-day low {lower:0.00}"));
                }

                return StrategySignal.Hold(symbol, Text($"holding: close {_close:0.00}, stop {stop:0.00}, {parameters.ExitPeriod}-day low {lower:0.00}"));
            }

            if (_close > upper)
            {
                var strength = atr > 0m ? (_close - upper) / atr : 1m;
                return StrategySignal.Buy(symbol, strength, Text($"close {_close:0.00} broke above the {parameters.EntryPeriod}-day high {upper:0.00}"));
            }

            return StrategySignal.Hold(symbol, Text($"close {_close:0.00} within the {parameters.EntryPeriod}-day range {_entryChannel.Lower:0.00}–{upper:0.00}"));
        }

        private decimal Stop(Holding holding) => holding.AverageEntryPrice - (parameters.AtrStopMultiple * _atr.Value);
    }
}
