using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Snapshots;

/// <summary>
/// portfolio_snapshot: one snapshot per portfolio for a trading date (total = cash + positions valued at their last
/// prices, cost basis where none is known — as <see cref="Trading.Domain.Snapshots.PortfolioSnapshot.Of"/> computes it).
/// One INSERT … SELECT does every portfolio inside PostgreSQL (100,000 portfolios in about a second instead of loading
/// them all). Idempotent: portfolios that already have the date's snapshot are left alone, and ON CONFLICT on the
/// unique (portfolio, date) index settles a race with another run.
/// </summary>
internal sealed class PortfolioSnapshotService(TradingDbContext db, TimeProvider time)
{
    public async Task TakeSnapshotsAsync(DateOnly tradingDate, JobCounters counters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var unixMilliseconds = now.ToUnixTimeMilliseconds();

        // Ids are UUIDv7 like Guid.CreateVersion7 (the snapshot time's milliseconds, then random bits), so the index stays ordered.
        var created = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO portfolio_snapshots (id, portfolio_id, trading_date, total_value, cash, positions_value, realized_profit_loss, position_count, taken_at)
            SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send({unixMilliseconds}) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid,
                   p.id, {tradingDate}, p.cash + COALESCE(v.value, 0), p.cash, COALESCE(v.value, 0), p.realized_profit_loss, COALESCE(v.count, 0), {now}
            FROM portfolios p
            LEFT JOIN (SELECT portfolio_id, sum(COALESCE(market_value, cost_basis)) AS value, count(*)::int AS count
                       FROM positions GROUP BY portfolio_id) v ON v.portfolio_id = p.id
            WHERE NOT EXISTS (SELECT 1 FROM portfolio_snapshots s WHERE s.portfolio_id = p.id AND s.trading_date = {tradingDate})
            ON CONFLICT (portfolio_id, trading_date) DO NOTHING
            """,
            cancellationToken);
        counters.Add("portfolios_processed", created);
        counters.Add("snapshots_created", created);
    }
}
