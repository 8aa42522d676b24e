using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Risk;

namespace StockGod.Trading.Strategies;

/// <summary>
/// One evaluation of a configured strategy as of <see cref="AsOf"/>: a signal per symbol of its universe, the prices
/// it was sized at, and what the risk layer makes of each BUY or SELL (an order intent, or why there is none).
/// </summary>
public sealed record StrategyEvaluation(
    DateTimeOffset AsOf,
    IReadOnlyList<StrategySignal> Signals,
    IReadOnlyDictionary<string, decimal> Prices,
    IReadOnlyList<SizingDecision> Decisions);

/// <summary>
/// Evaluates a <see cref="StrategyDefinition"/> against the market now: completed daily bars and latest quotes from
/// <see cref="IMarketDataSource"/>, the portfolio's holdings, the strategy from the <see cref="StrategyRegistry"/>,
/// then <see cref="PositionSizer"/> within the strategy's risk limits. It reads and decides only; acting on the
/// decisions (saving signals, placing orders) is the caller's: the Scheduler's strategy run, or nobody for the Api's
/// dry run.
/// </summary>
public sealed class StrategyEvaluator(StrategyRegistry registry, IMarketDataSource marketData, IMarketCalendar calendar, TimeProvider time)
{
    /// <summary>Daily bars given to strategies that need their whole history to warm up (RSI, Donchian, momentum).</summary>
    public const int DefaultHistoryBars = 400;

    public async Task<StrategyEvaluation> EvaluateAsync(
        StrategyDefinition definition, Portfolio portfolio, IReadOnlySet<string> symbolsWithOpenOrders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(symbolsWithOpenOrders);

        var creation = registry.Create(definition.StrategyType, definition.Parameters.RootElement.GetRawText());
        if (creation.Strategy is not { } strategy)
        {
            // Saved definitions were validated; this only happens if the registry changed since.
            throw new DomainException($"Strategy '{definition.Name}' can no longer be created: {string.Join("; ", creation.Errors.Select(e => e.Message))}");
        }

        var asOf = time.GetUtcNow();
        var historyBars = strategy is IPerSymbolStrategy { Lookback: < DefaultHistoryBars } perSymbol ? perSymbol.Lookback : DefaultHistoryBars;

        // Calendar days covering that many sessions: 252 sessions a year, plus slack for holidays.
        var start = asOf.AddDays(-(Math.Ceiling(historyBars * 365d / 252d) + 10d));
        var bars = await marketData.GetBarsAsync(definition.Symbols, BarTimeframe.Day1, start, asOf, cancellationToken);
        var holdings = portfolio.Positions.ToDictionary(p => p.Symbol, p => new Holding(p.Quantity, p.AverageEntryPrice), StringComparer.Ordinal);
        var context = StrategyContext.Create(asOf, definition.Symbols, BarTimeframe.Day1, bars, holdings, calendar);
        var signals = strategy.Evaluate(context);

        var quotes = await marketData.GetQuotesAsync(definition.Symbols, cancellationToken);
        var prices = quotes.ToDictionary(q => q.Key, q => q.Value.LastPrice, StringComparer.Ordinal);
        var positions = portfolio.Positions.ToDictionary(
            p => p.Symbol,
            p => new PositionState(p.Quantity, prices.GetValueOrDefault(p.Symbol, p.LastPrice ?? p.AverageEntryPrice)),
            StringComparer.Ordinal);
        var state = new PortfolioState(portfolio.Equity, portfolio.Cash, positions, symbolsWithOpenOrders);
        var decisions = PositionSizer.Size(signals, state, definition.RiskLimits, prices);
        return new StrategyEvaluation(asOf, signals, prices, decisions);
    }
}
