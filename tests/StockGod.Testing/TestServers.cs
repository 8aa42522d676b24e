using Npgsql;
using StockGod.AppHost.Local;

namespace StockGod.Testing;

/// <summary>
/// Real PostgreSQL and Redis for tests. Servers named by <c>STOCKGOD_TEST_POSTGRES</c> / <c>STOCKGOD_TEST_REDIS</c>
/// (connection strings) are used as they are; otherwise throwaway local servers (temporary data folder, free port,
/// fsync off) are started once per test process and stopped when it exits.
/// </summary>
public static class TestServers
{
    private static readonly Lazy<Task<string>> Postgres = new(StartPostgresAsync);
    private static readonly Lazy<Task<string>> Redis = new(StartRedisAsync);
    private static readonly List<IAsyncDisposable> Owned = [];
    private static readonly List<string> TemporaryFolders = [];

    static TestServers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    /// <summary>Connection string of the PostgreSQL server, without a database.</summary>
    public static Task<string> PostgresServerAsync() => Postgres.Value;

    /// <summary>Connection string of the shared Redis server. Tests share it: use keys of your own.</summary>
    public static Task<string> RedisAsync() => Redis.Value;

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var server = await PostgresServerAsync();
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>A Redis server of the caller's own, for tests that stop and restart it. Dispose it when done.</summary>
    public static Task<LocalRedisServer> StartDedicatedRedisAsync() =>
        LocalRedisServer.StartAsync(new LocalRedisOptions(LocalProcess.FindFreePort()));

    /// <summary>
    /// A PostgreSQL server of the caller's own (throwaway cluster, deleted at exit), for tests that restart it
    /// (<see cref="LocalPostgresServer.RestartAsync"/>) and so must not share it. Dispose it when done.
    /// </summary>
    public static Task<LocalPostgresServer> StartDedicatedPostgresAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"stockgod-test-pg-{Guid.NewGuid():N}");
        lock (TemporaryFolders)
        {
            TemporaryFolders.Add(folder);
        }

        return LocalPostgresServer.StartAsync(new LocalPostgresOptions(folder, LocalProcess.FindFreePort(), Password: "test", Durable: false));
    }

    private static async Task<string> StartPostgresAsync()
    {
        if (Environment.GetEnvironmentVariable("STOCKGOD_TEST_POSTGRES") is { Length: > 0 } external)
        {
            return external;
        }

        var server = await StartDedicatedPostgresAsync();
        lock (Owned)
        {
            Owned.Add(server);
        }

        return server.GetConnectionString();
    }

    private static async Task<string> StartRedisAsync()
    {
        if (Environment.GetEnvironmentVariable("STOCKGOD_TEST_REDIS") is { Length: > 0 } external)
        {
            return external;
        }

        var server = await StartDedicatedRedisAsync();
        lock (Owned)
        {
            Owned.Add(server);
        }

        return server.ConnectionString;
    }

    private static void StopAll() => StopAllAsync().Wait(TimeSpan.FromSeconds(10));

    /// <summary>
    /// Stops the servers this process started and deletes their folders. Runs when the test pipeline stops
    /// (<see cref="TestServersLifetime"/>) and again, with nothing left to do, at process exit.
    /// </summary>
    internal static async Task StopAllAsync()
    {
        IAsyncDisposable[] servers;
        lock (Owned)
        {
            servers = [.. Owned];
            Owned.Clear();
        }

        // The clusters are deleted next, so a fast shutdown's checkpoint of every test database would be wasted time.
        await Task.WhenAll(servers.Select(StopQuicklyAsync)).WaitAsync(TimeSpan.FromSeconds(8)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        string[] folders;
        lock (TemporaryFolders)
        {
            folders = [.. TemporaryFolders];
            TemporaryFolders.Clear();
        }

        foreach (var folder in folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task StopQuicklyAsync(IAsyncDisposable server)
    {
        if (server is LocalPostgresServer postgres)
        {
            await postgres.StopImmediatelyAsync();
        }

        await server.DisposeAsync();
    }
}
