using Npgsql;
using Xunit;

namespace StockGod.Testing;

/// <summary>A fresh, empty PostgreSQL database for one test class (use it as a class fixture).</summary>
public class PostgresDatabaseFixture : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    public string ConnectionString { get; private set; } = string.Empty;

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The fixture is not initialized.");

    public virtual async ValueTask InitializeAsync()
    {
        ConnectionString = await TestServers.CreateDatabaseAsync(GetType().Name.Replace("Fixture", string.Empty, StringComparison.Ordinal));
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
