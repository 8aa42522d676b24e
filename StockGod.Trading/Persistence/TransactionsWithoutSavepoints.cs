using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace StockGod.Trading.Persistence;

/// <summary>
/// Our own transactions without EF Core's automatic savepoints. By default every SaveChanges inside an explicit
/// transaction is wrapped in <c>SAVEPOINT</c> / <c>RELEASE SAVEPOINT</c>: two round trips per save, only useful to a
/// caller that catches a failed save and goes on in the same transaction. Ours roll the whole transaction back instead,
/// so they begin it here: savepoints are off while it is open and the context's previous setting is back when it is
/// disposed, so the setting neither has to be remembered at each transaction nor leaks to later work on the same
/// (scoped or pooled) context.
/// </summary>
public static class TransactionsWithoutSavepoints
{
    /// <summary>
    /// Begins a transaction in which SaveChanges creates no savepoint. A failed save leaves the transaction aborted
    /// (PostgreSQL refuses every further command in it): do not catch it and go on in the same transaction.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginTransactionWithoutSavepointsAsync(this DatabaseFacade database, CancellationToken cancellationToken = default)
    {
        var previous = database.AutoSavepointsEnabled;
        database.AutoSavepointsEnabled = false;
        try
        {
            return new SavepointSettingRestorer(await database.BeginTransactionAsync(cancellationToken), database, previous);
        }
        catch
        {
            database.AutoSavepointsEnabled = previous;
            throw;
        }
    }

    /// <summary>The transaction as begun, putting the context's savepoint setting back when it is disposed.</summary>
    private sealed class SavepointSettingRestorer(IDbContextTransaction transaction, DatabaseFacade database, bool previous)
        : IDbContextTransaction, IInfrastructure<DbTransaction>
    {
        public Guid TransactionId => transaction.TransactionId;

        public bool SupportsSavepoints => transaction.SupportsSavepoints;

        DbTransaction IInfrastructure<DbTransaction>.Instance => transaction.GetDbTransaction();

        public void Commit() => transaction.Commit();

        public Task CommitAsync(CancellationToken cancellationToken = default) => transaction.CommitAsync(cancellationToken);

        public void Rollback() => transaction.Rollback();

        public Task RollbackAsync(CancellationToken cancellationToken = default) => transaction.RollbackAsync(cancellationToken);

        public void CreateSavepoint(string name) => transaction.CreateSavepoint(name);

        public Task CreateSavepointAsync(string name, CancellationToken cancellationToken = default) => transaction.CreateSavepointAsync(name, cancellationToken);

        public void RollbackToSavepoint(string name) => transaction.RollbackToSavepoint(name);

        public Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken = default) => transaction.RollbackToSavepointAsync(name, cancellationToken);

        public void ReleaseSavepoint(string name) => transaction.ReleaseSavepoint(name);

        public Task ReleaseSavepointAsync(string name, CancellationToken cancellationToken = default) => transaction.ReleaseSavepointAsync(name, cancellationToken);

        public void Dispose()
        {
            try
            {
                transaction.Dispose();
            }
            finally
            {
                database.AutoSavepointsEnabled = previous;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await transaction.DisposeAsync();
            }
            finally
            {
                database.AutoSavepointsEnabled = previous;
            }
        }
    }
}
