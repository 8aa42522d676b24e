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
public sealed class DonchianBreakoutStrategy(DonchianBreakoutParameters parameters) : IStrategy
{
    public const string Name = "donchian_breakout";

    public string TypeName => Name;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return [.. context.Universe.Select(symbol => Evaluate(symbol, context))];
    }

    private StrategySignal Evaluate(string symbol, StrategyContext context)
    {
        var bars = context.BarsOf(symbol);
        var needed = Math.Max(parameters.EntryPeriod, parameters.AtrPeriod) + 1;
        if (bars.Count < needed)
        {
            return StrategySignal.Hold(symbol, $"needs {needed} completed bars, has {bars.Count}");
        }

        // Channels of the bars BEFORE the latest one: a close can only break out of a range it is not part of.
        var entry = new DonchianChannel(parameters.EntryPeriod);
        var exit = new DonchianChannel(parameters.ExitPeriod);
        var atr = new AverageTrueRange(parameters.AtrPeriod);
        for (var i = 0; i < bars.Count - 1; i++)
        {
            entry.Update(bars[i]);
            exit.Update(bars[i]);
            atr.Update(bars[i]);
        }

        atr.Update(bars[^1]);
        var close = bars[^1].Close;
        var atrValue = atr.Value;
        var upper = entry.Value.Upper;
        var lower = exit.Value.Lower;

        if (context.Holds(symbol))
        {
            var stop = context.HoldingOf(symbol).AverageEntryPrice - (parameters.AtrStopMultiple * atrValue);
            if (close < stop)
            {
                return StrategySignal.Sell(symbol, 1m, Text($"close {close:0.00} below the ATR stop {stop:0.00} (entry − {parameters.AtrStopMultiple} × ATR {atrValue:0.00})"));
            }

            if (close < lower)
            {
                return StrategySignal.Sell(symbol, 1m, Text($"close {close:0.00} below the {parameters.ExitPeriod}-day low {lower:0.00}"));
            }

            return StrategySignal.Hold(symbol, Text($"holding: close {close:0.00}, stop {stop:0.00}, {parameters.ExitPeriod}-day low {lower:0.00}"));
        }

        if (close > upper)
        {
            var strength = atrValue > 0m ? (close - upper) / atrValue : 1m;
            return StrategySignal.Buy(symbol, strength, Text($"close {close:0.00} broke above the {parameters.EntryPeriod}-day high {upper:0.00}"));
        }

        return StrategySignal.Hold(symbol, Text($"close {close:0.00} within the {parameters.EntryPeriod}-day range {entry.Value.Lower:0.00}–{upper:0.00}"));
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
