using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Jobs.Strategies;

/// <summary>
/// strategy_execution: every enabled strategy of every portfolio, evaluated at the firing's scheduled time. Set-based
/// throughout: one query for the strategies, one for their portfolios and positions, ONE quote batch and ONE bar
/// batch from MarketData for the union of all universes (the two calls run concurrently), evaluation in memory (see
/// <see cref="StrategyBatchEvaluator"/>), one update stamping every strategy evaluated. Only portfolios with a BUY or
/// SELL signal then need the database and the broker: they are traded in parallel, a bounded number at a time, each
/// in its own scope (<see cref="PortfolioStrategyTrader"/>). A failure of one portfolio (its broker down, a bad
/// record) is counted and logged and the others go on; if every portfolio that had orders to place failed, the run
/// fails so the circuit breaker sees it.
/// </summary>
internal sealed partial class StrategyExecutionService(
    TradingDbContext db,
    IMarketDataSource marketData,
    StrategyBatchEvaluator evaluator,
    IServiceScopeFactory scopes,
    IOptions<StrategyExecutionOptions> options,
    ILogger<StrategyExecutionService> logger)
{
    private static readonly string[] CounterNames =
    [
        "portfolios_processed", "portfolios_failed", "strategies_evaluated", "strategies_failed",
        "signals_buy", "signals_sell", "signals_hold", "signals_refused_by_risk",
        "signals_already_acted", "orders_placed", "orders_rejected", "orders_unconfirmed", "orders_existing", "orders_resumed",
    ];

    public async Task ExecuteAsync(DateTimeOffset fireTime, JobCounters counters, CancellationToken cancellationToken)
    {
        fireTime = fireTime.ToUniversalTime(); // stored, and compared with stored times, in UTC
        foreach (var name in CounterNames)
        {
            counters.Add(name, 0);
        }

        var strategies = await db.Strategies.AsNoTracking().Where(s => s.Enabled)
            .OrderBy(s => s.PortfolioId).ThenBy(s => s.Id).ToListAsync(cancellationToken);
        if (strategies.Count == 0)
        {
            return;
        }

        var portfolios = await db.Portfolios.AsNoTracking().Include(p => p.Positions)
            .Where(p => db.Strategies.Any(s => s.PortfolioId == p.Id && s.Enabled))
            .ToDictionaryAsync(p => p.Id, cancellationToken);
        strategies.RemoveAll(s => !portfolios.ContainsKey(s.PortfolioId)); // enabled between the two reads

        // The single batch of market data for everyone.
        var universe = strategies.SelectMany(s => s.Symbols).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var market = await StrategyMarket.FetchAsync(marketData, universe, fireTime, options.Value.HistoryDays, cancellationToken);
        var prices = market.Prices;
        counters.Add("symbols_requested", universe.Count);
        counters.Add("symbols_priced", prices.Count);

        var holdings = portfolios.Values.ToDictionary(p => p.Id, StrategyBatchEvaluator.HoldingsOf);
        var batch = evaluator.Evaluate(strategies, market.Bars, id => holdings[id], fireTime);
        var evaluations = batch.Strategies;
        Count(evaluations, counters);
        var evaluated = evaluations.Where(e => e.Error is null).Select(e => e.Strategy.Id).ToList();
        await db.Strategies.Where(s => evaluated.Contains(s.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastEvaluatedAt, fireTime), cancellationToken);

        var work = evaluations.GroupBy(e => e.Strategy.PortfolioId).Select(g => new PortfolioToTrade(portfolios[g.Key], [.. g])).ToList();
        counters.Add("portfolios_processed", work.Count(w => !w.HasActionableSignals));
        var trading = work.Where(w => w.HasActionableSignals).ToList();
        var failed = 0;
        await Parallel.ForEachAsync(
            trading,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.MaxParallelPortfolios), CancellationToken = cancellationToken },
            async (portfolio, token) =>
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<PortfolioStrategyTrader>()
                        .TradeAsync(portfolio, new MarketAtFiring(fireTime, prices, batch.LatestBarCompletedAt), counters, token);
                }
                catch (Exception failure) when (failure is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // The bulkhead: whatever went wrong for this portfolio, the others are still traded.
                    Interlocked.Increment(ref failed);
                    counters.Add("portfolios_failed");
                    LogPortfolioFailed(failure, portfolio.Portfolio.Id);
                }

                counters.Add("portfolios_processed");
            });

        if (trading.Count > 0 && failed == trading.Count)
        {
            throw new InvalidOperationException($"Trading failed for every portfolio with orders to place ({failed}).");
        }
    }

    private void Count(IReadOnlyList<StrategyEvaluation> evaluations, JobCounters counters)
    {
        foreach (var evaluation in evaluations)
        {
            if (evaluation.Error is { } error)
            {
                counters.Add("strategies_failed");
                LogStrategyFailed(evaluation.Strategy.Id, evaluation.Strategy.StrategyType, error);
                continue;
            }

            counters.Add("strategies_evaluated");
            foreach (var group in evaluation.Signals.GroupBy(s => s.Action))
            {
                counters.Add($"signals_{group.Key.ToString().ToLowerInvariant()}", group.Count());
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Strategy execution failed for portfolio {PortfolioId}; the other portfolios were traded")]
    private partial void LogPortfolioFailed(Exception failure, Guid portfolioId);

    [LoggerMessage(LogLevel.Warning, "Strategy {StrategyId} ({StrategyType}) was not evaluated: {Error}")]
    private partial void LogStrategyFailed(Guid strategyId, string strategyType, string error);
}
