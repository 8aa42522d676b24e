using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using StockGod.Testing;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Tests.Persistence;

public sealed class TransactionsWithoutSavepointsTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_plain_transaction_wraps_each_save_in_a_savepoint_one_begun_without_savepoints_does_not()
    {
        var savepoints = new SavepointCounter();
        await using var db = CreateDbContext(savepoints);

        await using (var plain = await db.Database.BeginTransactionAsync(Ct))
        {
            await AddUserAsync(db);
            await plain.CommitAsync(Ct);
        }

        Assert.Equal(1, savepoints.Created); // the counter sees EF's automatic savepoint

        await using (var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(Ct))
        {
            await AddUserAsync(db);
            await AddUserAsync(db);
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(1, savepoints.Created);
    }

    [Fact]
    public async Task The_context_gets_its_savepoint_setting_back_when_the_transaction_is_disposed_committed_or_not()
    {
        await using var db = CreateDbContext(new SavepointCounter());

        await using (var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(Ct))
        {
            Assert.False(db.Database.AutoSavepointsEnabled);
            await transaction.CommitAsync(Ct);
        }

        Assert.True(db.Database.AutoSavepointsEnabled);

        // Failed save: the transaction is aborted and rolled back on dispose; the setting still comes back.
        var duplicate = Guid.CreateVersion7();
        await using (var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(Ct))
        {
            db.Users.Add(new User(duplicate, $"{Guid.NewGuid():N}@example.com", "A", Seed.At));
            db.Users.Add(new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "B", Seed.At));
            await db.SaveChangesAsync(Ct);
            db.ChangeTracker.Clear();
            db.Users.Add(new User(duplicate, $"{Guid.NewGuid():N}@example.com", "C", Seed.At));
            var failure = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
            Assert.True(failure.IsUniqueViolation());

            // No savepoint to fall back to: the rest of the transaction is refused, as the callers' contract says.
            var aborted = await Assert.ThrowsAsync<PostgresException>(() => db.Users.CountAsync(Ct));
            Assert.Equal(PostgresErrorCodes.InFailedSqlTransaction, aborted.SqlState);
        }

        Assert.True(db.Database.AutoSavepointsEnabled);
        db.ChangeTracker.Clear();
        Assert.False(await db.Users.AnyAsync(u => u.Id == duplicate, Ct)); // rolled back

        // A context that had savepoints off already keeps them off.
        db.Database.AutoSavepointsEnabled = false;
        await using (await db.Database.BeginTransactionWithoutSavepointsAsync(Ct))
        {
        }

        Assert.False(db.Database.AutoSavepointsEnabled);
    }

    [Fact]
    public async Task The_transaction_it_answers_is_the_database_transaction_in_progress()
    {
        await using var db = CreateDbContext(new SavepointCounter());
        await using var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(Ct);

        Assert.Same(db.Database.CurrentTransaction!.GetDbTransaction(), transaction.GetDbTransaction());
        Assert.Equal(db.Database.CurrentTransaction!.TransactionId, transaction.TransactionId);
    }

    private TradingDbContext CreateDbContext(SavepointCounter savepoints)
    {
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(database.DataSource).AddInterceptors(savepoints);
        return new TradingDbContext(options.Options);
    }

    private static async Task AddUserAsync(TradingDbContext db)
    {
        db.Users.Add(new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Test User", Seed.At));
        await db.SaveChangesAsync(Ct);
    }

    private sealed class SavepointCounter : DbTransactionInterceptor
    {
        public int Created { get; private set; }

        public override ValueTask<InterceptionResult> CreatingSavepointAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            Created++;
            return ValueTask.FromResult(result);
        }
    }
}
