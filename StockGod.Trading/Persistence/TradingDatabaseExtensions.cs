using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace StockGod.Trading.Persistence;

public static class TradingDatabaseExtensions
{
    /// <summary>
    /// Registers the PostgreSQL data source for <paramref name="connectionName"/> (Aspire's keys) and a pooled
    /// <see cref="TradingDbContext"/> over it.
    /// </summary>
    public static IHostApplicationBuilder AddTradingDatabase(this IHostApplicationBuilder builder, string connectionName = "stockgod")
    {
        builder.AddNpgsqlDataSource(connectionName);
        builder.Services.AddDbContextPool<TradingDbContext>((sp, options) =>
            options.UseTradingDatabase(sp.GetRequiredService<NpgsqlDataSource>()));
        return builder;
    }

    /// <summary>The one place the provider options are set, shared by the app, the design-time factory and tests.</summary>
    public static DbContextOptionsBuilder UseTradingDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();
}
