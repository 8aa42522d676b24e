using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Domain.Snapshots;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Snapshots;

/// <summary>
/// portfolio_snapshot: one snapshot per portfolio for a trading date (total = cash + positions at their last prices).
/// Idempotent: portfolios that already have the date's snapshot are left alone, and the unique (portfolio, date) index
/// settles a race with another run.
/// </summary>
internal sealed class PortfolioSnapshotService(TradingDbContext db, TimeProvider time)
{
    public async Task TakeSnapshotsAsync(DateOnly tradingDate, JobCounters counters, CancellationToken cancellationToken)
    {
        var portfolios = await db.Portfolios
            .Include(p => p.Positions)
            .Where(p => !db.PortfolioSnapshots.Any(s => s.PortfolioId == p.Id && s.TradingDate == tradingDate))
            .ToListAsync(cancellationToken);
        counters.Add("portfolios_processed", portfolios.Count);

        var now = time.GetUtcNow();
        foreach (var portfolio in portfolios)
        {
            db.PortfolioSnapshots.Add(PortfolioSnapshot.Of(Guid.CreateVersion7(), portfolio, tradingDate, now));
        }

        await db.SaveChangesAsync(cancellationToken);
        counters.Add("snapshots_created", portfolios.Count);
    }
}
