namespace StockGod.Trading.Strategies;

/// <summary>
/// One symbol's decision state for a strategy that looks at nothing but that symbol's own bars. Completed bars go in
/// one at a time (streaming indicators, O(1) each) and the decision can be read after any of them. A backtest keeps
/// one evaluator per symbol for a whole run; live evaluation replays the context's bars into a fresh one. Both run
/// the same decision code, so a backtest trades exactly as the live strategy would.
/// </summary>
public interface ISymbolEvaluator
{
    /// <summary>Feeds the next completed bar (oldest first).</summary>
    void Add(in Bar bar);

    /// <summary>The action after the bars added so far; allocation-free, so a backtest can ask at every bar.</summary>
    SignalAction Decide(Holding holding);

    /// <summary>The full signal (strength and reason); its action is always the one <see cref="Decide"/> returns.</summary>
    StrategySignal Signal(string symbol, Holding holding);
}

/// <summary>A strategy that decides each symbol on its own bars alone, through an <see cref="ISymbolEvaluator"/>.</summary>
public interface IPerSymbolStrategy : IStrategy
{
    /// <summary>How many of the latest bars fully determine a decision (<see cref="int.MaxValue"/>: all of them).</summary>
    int Lookback { get; }

    ISymbolEvaluator CreateEvaluator();
}

public static class PerSymbolStrategyExtensions
{
    /// <summary>The live form: every symbol of the context replayed through a fresh evaluator.</summary>
    public static IReadOnlyList<StrategySignal> EvaluateEachSymbol(this IPerSymbolStrategy strategy, StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(context);
        var signals = new List<StrategySignal>(context.Universe.Count);
        foreach (var symbol in context.Universe)
        {
            signals.Add(strategy.Replay(context.BarsOf(symbol)).Signal(symbol, context.HoldingOf(symbol)));
        }

        return signals;
    }

    /// <summary>
    /// A fresh evaluator fed the last <see cref="IPerSymbolStrategy.Lookback"/> of <paramref name="completedBars"/>.
    /// Its state depends on the bars only (the holding enters at <see cref="ISymbolEvaluator.Signal"/>), so callers
    /// evaluating many portfolios with equal parameters may share one evaluator per symbol.
    /// </summary>
    public static ISymbolEvaluator Replay(this IPerSymbolStrategy strategy, IReadOnlyList<Bar> completedBars)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(completedBars);
        var evaluator = strategy.CreateEvaluator();
        for (var i = Math.Max(0, completedBars.Count - strategy.Lookback); i < completedBars.Count; i++)
        {
            evaluator.Add(completedBars[i]);
        }

        return evaluator;
    }
}
