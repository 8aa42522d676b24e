using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Positions;
using StockGod.Trading.Domain.Reconciliation;
using StockGod.Trading.Domain.Signals;
using StockGod.Trading.Domain.Snapshots;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Domain.Watchlists;

namespace StockGod.Trading.Persistence;

/// <summary>
/// The database of the trading domain. Every entity is mapped by an <see cref="IEntityTypeConfiguration{TEntity}"/>
/// next to it, so each feature folder owns its tables; names are snake_case.
/// </summary>
public sealed class TradingDbContext(DbContextOptions<TradingDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<Portfolio> Portfolios => Set<Portfolio>();

    public DbSet<Position> Positions => Set<Position>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Fill> Fills => Set<Fill>();

    public DbSet<StrategyDefinition> Strategies => Set<StrategyDefinition>();

    public DbSet<Signal> Signals => Set<Signal>();

    public DbSet<Watchlist> Watchlists => Set<Watchlist>();

    public DbSet<PriceAlert> PriceAlerts => Set<PriceAlert>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<PortfolioSnapshot> PortfolioSnapshots => Set<PortfolioSnapshot>();

    public DbSet<ScheduledJob> ScheduledJobs => Set<ScheduledJob>();

    public DbSet<JobExecution> JobExecutions => Set<JobExecution>();

    public DbSet<PositionDiscrepancy> PositionDiscrepancies => Set<PositionDiscrepancy>();

    public DbSet<BacktestRun> BacktestRuns => Set<BacktestRun>();

    public DbSet<BacktestRunResult> BacktestRunResults => Set<BacktestRunResult>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Instants are stored in UTC (timestamptz); values computed in New York time (session closes) are converted
        // on the way in instead of making Npgsql refuse a non-zero offset.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeOffsetConverter>();

        // Every enum of the domain is stored as its readable snake_case name (see SnakeCaseEnumConverter).
        foreach (var enumType in typeof(TradingDbContext).Assembly.GetTypes().Where(t => t.IsEnum && t.IsPublic))
        {
            configurationBuilder.Properties(enumType)
                .HaveConversion(typeof(SnakeCaseEnumConverter<>).MakeGenericType(enumType))
                .HaveMaxLength(32);
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TradingDbContext).Assembly);

        // Ids are UUIDv7s the domain assigns when it creates an entity, never the database: so a new child reached
        // through a navigation (a position opened by a fill) is inserted rather than mistaken for an existing row.
        foreach (var key in modelBuilder.Model.GetEntityTypes().Select(e => e.FindPrimaryKey()).OfType<IMutableKey>())
        {
            foreach (var property in key.Properties.Where(p => p.ClrType == typeof(Guid)))
            {
                property.ValueGenerated = ValueGenerated.Never;
            }
        }
    }
}
