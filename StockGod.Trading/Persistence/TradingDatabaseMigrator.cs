using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace StockGod.Trading.Persistence;

/// <summary>
/// Applies the committed migrations under a PostgreSQL session advisory lock, so several replicas starting at once
/// migrate one after another and the later ones find nothing left to do.
/// </summary>
public static class TradingDatabaseMigrator
{
    /// <summary>Arbitrary but fixed: every StockGod process must use the same key.</summary>
    internal const long AdvisoryLockKey = 0x53746F636B476F64; // "StockGod"

    private static readonly ActivitySource ActivitySource = new("StockGod.Migrations");

    public static async Task MigrateAsync(TradingDbContext db, ILogger logger, CancellationToken cancellationToken = default)
    {
        using var activity = ActivitySource.StartActivity("Migrate trading database");
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
                    await db.Database.MigrateAsync(cancellationToken);
                }
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
