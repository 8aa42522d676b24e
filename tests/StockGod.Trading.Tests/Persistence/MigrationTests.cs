using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StockGod.Testing;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Tests.Persistence;

public sealed class MigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replicas_migrating_an_empty_database_at_once_all_succeed_and_apply_each_migration_once()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestServers.CreateDatabaseAsync("migrate_race"));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var db = Create(dataSource);
            await TradingDatabaseMigrator.MigrateAsync(db, NullLogger.Instance, Ct);
        }, Ct)));

        await using var check = Create(dataSource);
        Assert.Empty(await check.Database.GetPendingMigrationsAsync(Ct));
        var applied = await check.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM __ef_migrations_history").SingleAsync(Ct);
        Assert.Equal(check.Database.GetMigrations().Count(), (int)applied);
        Assert.True(await check.Portfolios.CountAsync(Ct) == 0);
    }

    [Fact]
    public void The_model_has_no_changes_missing_from_the_committed_migrations()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=unused");
        using var db = Create(dataSource);

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a migration: run dotnet ef migrations add.");
    }

    private static TradingDbContext Create(NpgsqlDataSource dataSource)
    {
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(dataSource);
        return new TradingDbContext(options.Options);
    }
}
