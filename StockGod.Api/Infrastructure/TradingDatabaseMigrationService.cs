using StockGod.Trading.Persistence;

namespace StockGod.Api.Infrastructure;

/// <summary>
/// Applies pending migrations while the host starts: hosted services start before Kestrel listens, so no request
/// (health probes included) is answered before the schema is current. Replicas serialize on the advisory lock.
/// </summary>
internal sealed class TradingDatabaseMigrationService(IServiceScopeFactory scopes, ILogger<TradingDatabaseMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        await TradingDatabaseMigrator.MigrateAsync(db, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
