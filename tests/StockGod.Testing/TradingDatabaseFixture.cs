using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using StockGod.Trading.Persistence;

namespace StockGod.Testing;

/// <summary>A fresh database for one test class with the committed migrations applied.</summary>
public class TradingDatabaseFixture : PostgresDatabaseFixture
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = CreateDbContext();
        await TradingDatabaseMigrator.MigrateAsync(db, NullLogger.Instance);
    }

    public TradingDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(DataSource);
        return new TradingDbContext(options.Options);
    }
}
