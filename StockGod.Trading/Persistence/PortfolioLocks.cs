using Microsoft.EntityFrameworkCore;
using StockGod.Trading.Domain.Portfolios;

namespace StockGod.Trading.Persistence;

/// <summary>
/// Serializes every change to a portfolio's cash and positions: <c>SELECT … FOR UPDATE</c> on the portfolio row makes
/// concurrent writers (Api, several Scheduler nodes, fill pollers) queue, so no fill's update is ever lost.
/// </summary>
public static class PortfolioLocks
{
    /// <summary>
    /// Locks the portfolio row until the current transaction ends and loads the portfolio with its positions as they
    /// are after every earlier writer committed. Requires an open transaction. Returns null when it does not exist.
    /// </summary>
    public static async Task<Portfolio?> LockPortfolioAsync(this TradingDbContext db, Guid portfolioId, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A portfolio row lock needs an open transaction.");
        }

        var locked = await db.Database
            .SqlQuery<Guid>($"SELECT id AS \"Value\" FROM portfolios WHERE id = {portfolioId} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (locked.Count == 0)
        {
            return null;
        }

        // Read after the lock: under READ COMMITTED this statement sees what the previous lock holder committed.
        return await PortfolioWithPositions.For(db)(db, portfolioId, cancellationToken);
    }

    /// <summary>
    /// Locks the portfolio row until the current transaction ends and loads the portfolio WITHOUT its positions, in one
    /// round trip (the locked row is the latest committed version): for callers that read only the portfolio's own
    /// columns (trading mode, whether it may trade). Requires an open transaction. Returns null when it does not exist.
    /// </summary>
    public static async Task<Portfolio?> LockPortfolioRowAsync(this TradingDbContext db, Guid portfolioId, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A portfolio row lock needs an open transaction.");
        }

        // Not a compiled query: EF cannot compile FromSql.
        return await db.Portfolios.FromSql($"SELECT *, xmin FROM portfolios WHERE id = {portfolioId} FOR UPDATE")
            .AsNoTracking().SingleOrDefaultAsync(cancellationToken);
    }

    // Compiled once: every fill runs it, and a LINQ query costs its parameter extraction and cache look-up each time.
    private static readonly CompiledQueryPerModel<Func<TradingDbContext, Guid, CancellationToken, Task<Portfolio>>> PortfolioWithPositions = new(() =>
        EF.CompileAsyncQuery((TradingDbContext db, Guid portfolioId, CancellationToken cancellationToken) =>
            db.Portfolios.Include(p => p.Positions).Single(p => p.Id == portfolioId)));
}
