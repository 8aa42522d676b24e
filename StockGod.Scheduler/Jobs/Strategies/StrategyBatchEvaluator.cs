using System.Collections.Concurrent;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Market;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Jobs.Strategies;

/// <summary>A strategy's signals at one firing, or why it could not be evaluated.</summary>
internal sealed record StrategyEvaluation(StrategyDefinition Strategy, IReadOnlyList<StrategySignal> Signals, string? Error);

/// <summary>Every strategy's evaluation, and when the latest bar each symbol was decided on completed.</summary>
internal sealed record BatchEvaluation(IReadOnlyList<StrategyEvaluation> Strategies, IReadOnlyDictionary<string, DateTimeOffset> LatestBarCompletedAt);

/// <summary>
/// Evaluates many strategies against one batch of bars with the code the backtester runs: strategies come from the
/// <see cref="StrategyRegistry"/>, see only bars completed at the firing (<see cref="StrategyContext"/>), and
/// per-symbol strategies decide through their <see cref="ISymbolEvaluator"/>. Because an evaluator's state depends on
/// the bars alone (the holding enters only at the decision), one evaluator per (parameters, symbol) serves every
/// portfolio that runs the same strategy on the same symbol: a thousand portfolios on common defaults replay each
/// symbol's history once, not a thousand times.
/// </summary>
internal sealed class StrategyBatchEvaluator(StrategyRegistry registry, IMarketCalendar calendar)
{
    public BatchEvaluation Evaluate(
        IReadOnlyList<StrategyDefinition> strategies,
        IReadOnlyDictionary<string, IReadOnlyList<Bar>> bars,
        Func<Guid, IReadOnlyDictionary<string, Holding>> holdingsOf,
        DateTimeOffset asOf)
    {
        var universe = strategies.SelectMany(s => s.Symbols).Distinct(StringComparer.Ordinal).ToList();
        var market = StrategyContext.Create(asOf, universe, BarTimeframe.Day1, bars, new Dictionary<string, Holding>(), calendar);
        var completed = universe.ToDictionary(s => s, market.BarsOf, StringComparer.Ordinal);
        var latestBarCompletedAt = completed.Where(c => c.Value.Count > 0).ToDictionary(
            c => c.Key, c => StrategyContext.CompletesAt(c.Value[^1], BarTimeframe.Day1, calendar).ToUniversalTime(), StringComparer.Ordinal);

        var created = new ConcurrentDictionary<(string Type, string Parameters), StrategyCreation>();
        var evaluators = new ConcurrentDictionary<(IStrategyParameters Parameters, string Symbol), Lazy<ISymbolEvaluator>>();
        var results = new StrategyEvaluation[strategies.Count];
        Parallel.For(0, strategies.Count, i =>
        {
            try
            {
                results[i] = EvaluateOne(strategies[i]);
            }
            catch (Exception failure) when (failure is ArgumentException or InvalidOperationException or ArithmeticException)
            {
                // A strategy that cannot evaluate these bars is reported and skipped; the others still trade.
                results[i] = new StrategyEvaluation(strategies[i], [], $"{failure.GetType().Name}: {failure.Message}");
            }
        });

        return new BatchEvaluation(results, latestBarCompletedAt);

        StrategyEvaluation EvaluateOne(StrategyDefinition definition)
        {
            var creation = created.GetOrAdd(
                (definition.StrategyType, definition.Parameters.RootElement.GetRawText()),
                key => registry.Create(key.Type, key.Parameters));
            if (creation is not { Strategy: { } strategy, Parameters: { } parameters })
            {
                return new StrategyEvaluation(definition, [], string.Join("; ", creation.Errors.Select(e => $"{e.Field}: {e.Message}")));
            }

            var holdings = holdingsOf(definition.PortfolioId);
            if (strategy is IPerSymbolStrategy perSymbol)
            {
                var signals = new List<StrategySignal>(definition.Symbols.Count);
                foreach (var symbol in definition.Symbols)
                {
                    var evaluator = evaluators.GetOrAdd(
                        (parameters, symbol),
                        key => new Lazy<ISymbolEvaluator>(() => perSymbol.Replay(completed[key.Symbol]))).Value;
                    signals.Add(evaluator.Signal(symbol, holdings.GetValueOrDefault(symbol)));
                }

                return new StrategyEvaluation(definition, signals, null);
            }

            var context = StrategyContext.Create(asOf, definition.Symbols, BarTimeframe.Day1, completed, holdings, calendar);
            return new StrategyEvaluation(definition, strategy.Evaluate(context), null);
        }
    }
}
