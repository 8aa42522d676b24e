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
/// </summary>
internal sealed class AlertPriceCheckService(TradingDbContext db, IMarketDataSource marketData, ITradingEventPublisher events, TimeProvider time)
{
    public async Task<IReadOnlyList<PriceAlert>> CheckAlertsAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var alerts = await db.PriceAlerts.Where(a => a.Active).ToListAsync(cancellationToken);
        counters.Add("alerts_checked", alerts.Count);
        if (alerts.Count == 0)
        {
            return [];
        }

        var symbols = alerts.Select(a => a.Symbol).Distinct(StringComparer.Ordinal).ToList();
        var quotes = await marketData.GetQuotesAsync(symbols, cancellationToken);
        var now = time.GetUtcNow();
        var triggered = new List<PriceAlert>();
        foreach (var alert in alerts)
        {
            if (quotes.TryGetValue(alert.Symbol, out var quote) && quote.LastPrice > 0 && alert.Evaluate(quote.LastPrice, now))
            {
                triggered.Add(alert);
                db.Notifications.Add(new Notification(
                    Guid.CreateVersion7(),
                    alert.UserId,
                    "price_alert",
                    $"{alert.Symbol} alert triggered",
                    $"{alert.Symbol} traded at {quote.LastPrice} ({Describe(alert)}).",
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
