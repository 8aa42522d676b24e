using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Npgsql;
using StockGod.Testing;
using StockGod.Trading.Events;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;

namespace StockGod.Benchmarks.Scheduler;

/// <summary>
/// A migrated database on the test PostgreSQL for one job benchmark, seeded server-side (INSERT … SELECT over
/// generate_series: one statement per table, no rows through the client), and the contexts the jobs use.
/// </summary>
internal sealed class SchedulerBenchmarkDatabase : IAsyncDisposable
{
    /// <summary>Distinct symbols the seeds spread holdings, orders and alerts over (about the S&amp;P 500's size).</summary>
    public const int SymbolCount = 500;

    private SchedulerBenchmarkDatabase(NpgsqlDataSource dataSource, IServiceProvider services)
    {
        DataSource = dataSource;
        _services = services;
        Events = services.GetRequiredService<ITradingEventPublisher>();
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(dataSource);
        Options = options.Options;
        Contexts = new PooledDbContextFactory<TradingDbContext>(Options);
    }

    private readonly IServiceProvider _services;

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The jobs' real event publisher, on the test Redis: publishing is part of a job's cost.</summary>
    public ITradingEventPublisher Events { get; }

    public DbContextOptions<TradingDbContext> Options { get; }

    public IDbContextFactory<TradingDbContext> Contexts { get; }

    public static async Task<SchedulerBenchmarkDatabase> CreateAsync(string prefix)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(await TestServers.RedisAsync());
        var services = new ServiceCollection().AddLogging().AddSingleton<IConnectionMultiplexer>(redis).AddTradingEventPublisher().BuildServiceProvider();
        var database = new SchedulerBenchmarkDatabase(NpgsqlDataSource.Create(await TestServers.CreateDatabaseAsync(prefix)), services);
        await using var db = database.CreateDbContext();
        await TradingDatabaseMigrator.MigrateAsync(db, NullLogger.Instance);
        return database;
    }

    /// <summary>The SQL expression of symbol number <paramref name="number"/> (an integer expression) modulo the symbol count.</summary>
    public static string SymbolOf(string number) => $"'S' || lpad(({number} % {SymbolCount})::text, 3, '0')";

    public static IEnumerable<string> Symbols() => Enumerable.Range(0, SymbolCount).Select(i => $"S{i:000}");

    public TradingDbContext CreateDbContext() => new(Options);

    /// <summary><paramref name="users"/> users owning <paramref name="portfoliosPerUser"/> simulated portfolios each, with 100,000 cash.</summary>
    public Task SeedPortfoliosAsync(int users, int portfoliosPerUser) => ExecuteAsync(
        $"""
        INSERT INTO users (id, email, display_name, created_at)
        SELECT gen_random_uuid(), 'bench-' || u || '@example.com', 'Bench ' || u, now() FROM generate_series(1, {users}) u;
        INSERT INTO portfolios (id, owner_user_id, name, trading_mode, starting_cash, cash, realized_profit_loss, total_commissions,
                                live_trading_enabled, allow_shorting, created_at, updated_at)
        SELECT gen_random_uuid(), u.id, 'P' || g, 'simulated', 100000, 100000, 0, 0, false, false, now(), now()
        FROM users u CROSS JOIN generate_series(1, {portfoliosPerUser}) g;
        """);

    /// <summary><paramref name="perPortfolio"/> long positions per portfolio: 10 shares bought at 100, last price 101.</summary>
    public Task SeedPositionsAsync(int perPortfolio) => ExecuteAsync(
        $"""
        INSERT INTO positions (id, portfolio_id, symbol, quantity, average_entry_price, cost_basis, last_price, market_value,
                               unrealized_profit_loss, realized_profit_loss, opened_at, updated_at)
        SELECT gen_random_uuid(), p.id, {SymbolOf("(p.n * 7 + s)")}, 10, 100, 1000, 101, 1010, 10, 0, now(), now()
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM portfolios) p CROSS JOIN generate_series(0, {perPortfolio - 1}) s;
        """);

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
        await using var analyze = DataSource.CreateCommand("ANALYZE");
        await analyze.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await ((ServiceProvider)_services).DisposeAsync();
    }
}

/// <summary>Every symbol quoted 99.95 / 100.05 (last 100), answered at once, as a warm MarketData cache would.</summary>
internal sealed class FlatQuotes : IMarketDataSource
{
    public const decimal Price = 100m;

    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, Quote>>(symbols.Distinct(StringComparer.Ordinal).ToDictionary(
            s => s, s => new Quote(s, Price - 0.05m, 100, Price + 0.05m, 100, Price, DateTimeOffset.UtcNow, "bench"), StringComparer.Ordinal));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The scheduler jobs measured here use quotes only.");
}
