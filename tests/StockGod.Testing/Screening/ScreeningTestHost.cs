using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Testing.Screening;

/// <summary>
/// Screening runs composed as the services compose them (<c>AddScreeningRuns</c>) over a fresh, migrated PostgreSQL
/// database of their own, the given market data and clock, and the real constituents and 2017 fundamentals files.
/// </summary>
public sealed class ScreeningTestHost : IAsyncDisposable
{
    private readonly TradingDatabaseFixture _database;
    private readonly IHost _host;

    private ScreeningTestHost(TradingDatabaseFixture database, IHost host)
    {
        _database = database;
        _host = host;
    }

    public IServiceProvider Services => _host.Services;

    public ScreeningChunkProcessor Processor => Services.GetRequiredService<ScreeningChunkProcessor>();

    public static async Task<ScreeningTestHost> StartAsync(IMarketDataSource marketData, TimeProvider time, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = new TradingDatabaseFixture();
        await database.InitializeAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Screening:ConstituentsPath"] = SharedData.RequirePath(ScreeningData.ConstituentsFile),
            ["Screening:FundamentalsPath"] = SharedData.RequirePath(ScreeningData.FinancialsFile),
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddLogging();
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(marketData);
        builder.Services.AddDbContext<TradingDbContext>(options => options.UseTradingDatabase(database.DataSource));
        builder.AddScreeningRuns();
        return new ScreeningTestHost(database, builder.Build());
    }

    public TradingDbContext CreateDbContext() => _database.CreateDbContext();

    public async Task<ScreeningRun> StartRunAsync(ScreeningSettings settings, int? chunkSize = null)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ScreeningRunService>().StartAsync(settings, ScreeningRun.ScheduleRequester, chunkSize, CancellationToken.None);
    }

    /// <summary>Runs <paramref name="workers"/> workers side by side until none finds a due chunk; returns every outcome.</summary>
    public async Task<IReadOnlyList<ChunkOutcome>> DrainAsync(int workers = 1, string workerPrefix = "worker")
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentQueue<ChunkOutcome>();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(i => Task.Run(async () =>
        {
            while (await Processor.ProcessNextAsync($"{workerPrefix}-{i}", CancellationToken.None) is { } outcome)
            {
                outcomes.Enqueue(outcome);
            }
        })));
        return [.. outcomes];
    }

    public async Task<ScreeningRun> LoadRunAsync(Guid runId)
    {
        await using var db = CreateDbContext();
        return await db.Set<ScreeningRun>().AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    public async Task<IReadOnlyList<Guid>> SeedUsersAsync(int count)
    {
        await using var db = CreateDbContext();
        var users = Enumerable.Range(0, count).Select(i => new User(Guid.CreateVersion7(), $"screen-{Guid.NewGuid():N}@stockgod.test", $"User {i}", DateTimeOffset.UtcNow)).ToList();
        db.Users.AddRange(users);
        await db.SaveChangesAsync();
        return [.. users.Select(u => u.Id)];
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _database.DisposeAsync();
    }
}
