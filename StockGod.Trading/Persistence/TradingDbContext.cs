using Microsoft.EntityFrameworkCore;

namespace StockGod.Trading.Persistence;

/// <summary>
/// The database of the trading domain. Every entity is mapped by an <see cref="IEntityTypeConfiguration{TEntity}"/>
/// next to it, so each feature folder owns its tables; names are snake_case.
/// </summary>
public sealed class TradingDbContext(DbContextOptions<TradingDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TradingDbContext).Assembly);
    }
}
