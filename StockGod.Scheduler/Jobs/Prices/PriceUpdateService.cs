using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Events;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Prices;

/// <summary>
/// price_update: one batch of quotes for every held symbol, then market value and unrealized P&amp;L of every open
/// position. A symbol MarketData does not answer keeps its last price (never a guessed one). Each new price is
/// published once to each user holding the symbol (in any number of portfolios): events are routed per user, so a
/// user gets only the prices of what they hold.
/// </summary>
internal sealed class PriceUpdateService(TradingDbContext db, IMarketDataSource marketData, ITradingEventPublisher events, TimeProvider time)
{
    public async Task UpdatePricesAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var portfolios = await db.Portfolios.Include(p => p.Positions).Where(p => p.Positions.Any()).ToListAsync(cancellationToken);
        var symbols = portfolios.SelectMany(p => p.Positions).Select(p => p.Symbol).Distinct(StringComparer.Ordinal).ToList();
        counters.Add("symbols_requested", symbols.Count);
        if (symbols.Count == 0)
        {
            return;
        }

        var quotes = await marketData.GetQuotesAsync(symbols, cancellationToken);
        var prices = quotes.Values.Where(q => q.LastPrice > 0).ToDictionary(q => q.Symbol, q => q.LastPrice, StringComparer.Ordinal);
        counters.Add("symbols_updated", prices.Count);
        counters.Add("symbols_missing", symbols.Count - prices.Count);
        counters.Add("stale_quotes", quotes.Values.Count(q => q.Stale));

        var now = time.GetUtcNow();
        foreach (var portfolio in portfolios)
        {
            portfolio.MarkToMarket(prices, now);
            counters.Add("portfolios_processed");
            counters.Add("positions_updated", portfolio.Positions.Count(p => prices.ContainsKey(p.Symbol)));
        }

        await db.SaveChangesAsync(cancellationToken);

        // Sent together: the Redis client pipelines them on its one connection instead of a round trip each.
        var holders = portfolios
            .SelectMany(p => p.Positions.Where(h => prices.ContainsKey(h.Symbol)).Select(h => (p.OwnerUserId, h.Symbol)))
            .Distinct()
            .ToList();
        await Task.WhenAll(holders.Select(h => events.PublishToUserAsync(
            h.OwnerUserId, new PriceUpdated(h.Symbol, quotes[h.Symbol].LastPrice, quotes[h.Symbol].BidPrice, quotes[h.Symbol].AskPrice, quotes[h.Symbol].Timestamp), now, cancellationToken)));
        counters.Add("price_events_published", holders.Count);
    }
}
