using System.Collections.Concurrent;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Market;

namespace StockGod.Trading.Strategies;

/// <summary>A strategy's signals at one evaluation, or why it could not be evaluated.</summary>
public sealed record StrategyEvaluation(StrategyDefinition Strategy, IReadOnlyList<StrategySignal> Signals, string? Error);

/// <summary>Every strategy's evaluation, and when the latest bar each symbol was decided on completed.</summary>
public sealed record BatchEvaluation(IReadOnlyList<StrategyEvaluation> Strategies, IReadOnlyDictionary<string, DateTimeOffset> LatestBarCompletedAt);

/// <summary>
/// What a batch of strategies is evaluated against, fetched once for the union of their universes: the latest prices
/// (symbols without a positive last price left out) and the daily bars of the history window.
/// </summary>
public sealed record StrategyMarket(IReadOnlyDictionary<string, decimal> Prices, IReadOnlyDictionary<string, IReadOnlyList<Bar>> Bars)
{
    /// <summary>
    /// Calendar days of daily bars fetched before the evaluation: about 500 sessions, enough for the slowest built-in
    /// parameters (SMA(500)); a strategy given more bars than it needs ignores the surplus, one given fewer holds
    /// with a reason that says how many it needs.
    /// </summary>
    public const int DefaultHistoryDays = 730;

    /// <summary>One quote batch and one bar batch for <paramref name="universe"/>, the two calls at the same time.</summary>
    public static async Task<StrategyMarket> FetchAsync(
        IMarketDataSource marketData, IReadOnlyCollection<string> universe, DateTimeOffset asOf, int historyDays, CancellationToken cancellationToken)
    {
        var quotesCall = marketData.GetQuotesAsync(universe, cancellationToken);
        var barsCall = marketData.GetBarsAsync(universe, BarTimeframe.Day1, asOf.AddDays(-historyDays), asOf, cancellationToken);
        await Task.WhenAll(quotesCall, barsCall);
        var prices = (await quotesCall).Values.Where(q => q.LastPrice > 0m).ToDictionary(q => q.Symbol, q => q.LastPrice, StringComparer.Ordinal);
        return new StrategyMarket(prices, await barsCall);
    }
}

/// <summary>
/// Evaluates many strategies against one batch of bars with the code the backtester runs: strategies come from the
/// <see cref="StrategyRegistry"/>, see only bars completed at the firing (<see cref="StrategyContext"/>), and
/// per-symbol strategies decide through their <see cref="ISymbolEvaluator"/>. Because an evaluator's state depends on
/// the bars alone (the holding enters only at the decision), one evaluator per (parameters, symbol) serves every
/// portfolio that runs the same strategy on the same symbol: a thousand portfolios on common defaults replay each
/// symbol's history once, not a thousand times. The one path that evaluates strategies: the Scheduler's
/// strategy_execution (every enabled strategy) and the Api's dry run (a batch of one).
/// </summary>
public sealed class StrategyBatchEvaluator(StrategyRegistry registry, IMarketCalendar calendar)
{
    /// <summary>A portfolio's positions as the strategies see them.</summary>
    public static IReadOnlyDictionary<string, Holding> HoldingsOf(Portfolio portfolio) =>
        portfolio.Positions.ToDictionary(p => p.Symbol, p => new Holding(p.Quantity, p.AverageEntryPrice), StringComparer.Ordinal);

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
