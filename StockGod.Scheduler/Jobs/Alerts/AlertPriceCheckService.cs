using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Events;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Alerts;

/// <summary>
/// alert_price_check: evaluates the active alerts against one batch of current prices. A triggered alert records
/// price and time, becomes inactive and notifies its user, in one transaction. It fires once: the job never runs
/// twice at a time anywhere in the cluster, and only active alerts are read. Each trigger is published to its user
/// (<see cref="AlertTriggered"/>) once it is stored.
/// PostgreSQL picks the alerts whose condition may hold at the quoted prices (a superset: a hair of tolerance on the
/// percent test), and only those are loaded and decided by <see cref="PriceAlert.Evaluate"/>; the 100,000 that stay
/// quiet never leave the database.
/// </summary>
internal sealed class AlertPriceCheckService(TradingDbContext db, IMarketDataSource marketData, ITradingEventPublisher events, TimeProvider time)
{
    public async Task<IReadOnlyList<PriceAlert>> CheckAlertsAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var symbols = await db.PriceAlerts.Where(a => a.Active).GroupBy(a => a.Symbol)
            .Select(g => new { Symbol = g.Key, Alerts = g.Count() })
            .ToListAsync(cancellationToken);
        counters.Add("alerts_checked", symbols.Sum(s => s.Alerts));
        if (symbols.Count == 0)
        {
            return [];
        }

        var quotes = await marketData.GetQuotesAsync([.. symbols.Select(s => s.Symbol)], cancellationToken);
        var prices = quotes.Values.Where(q => q.LastPrice > 0).ToDictionary(q => q.Symbol, q => q.LastPrice, StringComparer.Ordinal);
        string[] quotedSymbols = [.. prices.Keys];
        decimal[] quotedPrices = [.. quotedSymbols.Select(s => prices[s])];
        var candidates = await db.PriceAlerts
            .FromSql(
                $"""
                SELECT a.* FROM price_alerts a
                JOIN unnest({quotedSymbols}::text[], {quotedPrices}::numeric[]) AS q(symbol, price) ON q.symbol = a.symbol
                WHERE a.active AND (
                    (a.condition = 'above' AND q.price >= a.threshold)
                    OR (a.condition = 'below' AND q.price <= a.threshold)
                    OR (a.condition = 'percent_change' AND abs(q.price - a.reference_price) * 100 >= a.threshold * a.reference_price * 0.999999))
                """)
            .ToListAsync(cancellationToken);

        var now = time.GetUtcNow();
        var triggered = new List<PriceAlert>();
        foreach (var alert in candidates)
        {
            var price = prices[alert.Symbol];
            if (alert.Evaluate(price, now))
            {
                triggered.Add(alert);
                db.Notifications.Add(new Notification(
                    Guid.CreateVersion7(),
                    alert.UserId,
                    "price_alert",
                    $"{alert.Symbol} alert triggered",
                    $"{alert.Symbol} traded at {price} ({Describe(alert)}).",
                    data: null,
                    now));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        counters.Add("alerts_triggered", triggered.Count);
        foreach (var alert in triggered)
        {
            await events.PublishToUserAsync(
                alert.UserId, new AlertTriggered(alert.Id, alert.Symbol, alert.Threshold, alert.TriggeredPrice!.Value, alert.TriggeredAt!.Value), now, cancellationToken);
        }

        return triggered;
    }

    private static string Describe(PriceAlert alert) => alert.Condition switch
    {
        PriceAlertCondition.Above => $"at or above {alert.Threshold}",
        PriceAlertCondition.Below => $"at or below {alert.Threshold}",
        _ => $"moved {alert.Threshold}% from {alert.ReferencePrice}",
    };
}
