using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace StockGod.Trading.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service or database.</summary>
internal sealed class DesignTimeTradingDbContextFactory : IDesignTimeDbContextFactory<TradingDbContext>
{
    public TradingDbContext CreateDbContext(string[] args)
    {
        var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=stockgod_design");
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(dataSource);
        return new TradingDbContext(options.Options);
    }
}
