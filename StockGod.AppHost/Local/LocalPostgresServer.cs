using System.Diagnostics;
using Npgsql;

namespace StockGod.AppHost.Local;

/// <summary>The machine's PostgreSQL server binaries are not installed.</summary>
public sealed class MissingServerPackageException(string message) : Exception(message);

/// <summary>Options of a local PostgreSQL server.</summary>
/// <param name="DataDirectory">Its cluster; created with initdb when empty.</param>
/// <param name="Durable">False for throwaway test servers: fsync and synchronous commit off.</param>
public sealed record LocalPostgresOptions(string DataDirectory, int Port, string Password, bool Durable = true);

/// <summary>
/// A PostgreSQL server from the machine's packages (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>), running as a child
/// process on loopback. When we are root it runs as the <c>postgres</c> user, because PostgreSQL refuses root.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    public const string UserName = "postgres";
    private const string OsUser = "postgres";

    private Process _process;

    private LocalPostgresServer(Process process, LocalPostgresOptions options, Action<string>? onOutput)
    {
        _process = process;
        Options = options;
        OnOutput = onOutput;
    }

    private Action<string>? OnOutput { get; }

    public LocalPostgresOptions Options { get; }

    public Process Process => _process;

    public int Port => Options.Port;

    /// <summary>Aspire's format for a PostgreSQL server: <c>Host=…;Port=…;Username=…;Password=…</c>, plus <c>Database</c> when given.</summary>
    public string GetConnectionString(string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "localhost",
            Port = Port,
            Username = UserName,
            Password = Options.Password,
        };
        if (database is not null)
        {
            builder.Database = database;
        }

        return builder.ConnectionString;
    }

    public static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(c => c.Version > 0 && File.Exists(Path.Combine(c.Dir, "bin", "postgres")))
                .OrderByDescending(c => c.Version)
                .Select(c => Path.Combine(c.Dir, "bin"))
            : [];
        return candidates.FirstOrDefault()
            ?? throw new MissingServerPackageException(
                "PostgreSQL server not found in /usr/lib/postgresql/<version>/bin: install it with 'apt-get install postgresql'.");
    }

    public static async Task<LocalPostgresServer> StartAsync(
        LocalPostgresOptions options, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        await InitializeClusterAsync(bin, options, cancellationToken);
        await StopOrphanedServerAsync(options.DataDirectory);

        var server = new LocalPostgresServer(Launch(bin, options, onOutput), options, onOutput);
        try
        {
            await server.WaitUntilAcceptingConnectionsAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private static Process Launch(string bin, LocalPostgresOptions options, Action<string>? onOutput)
    {
        List<string> args =
        [
            "-D", options.DataDirectory,
            "-p", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            "-c", "max_connections=300",
        ];
        if (!options.Durable)
        {
            args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        return LocalProcess.Start(Path.Combine(bin, "postgres"), args, OsUser, onOutput);
    }

    /// <summary>
    /// What <c>pg_ctl restart -m fast</c> does, for outage tests: a fast shutdown (open transactions rolled back,
    /// every connection closed, committed work checkpointed) and a start on the same port and cluster.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        _process.Dispose();
        _process = Launch(FindBinDirectory(), Options, OnOutput);
        await WaitUntilAcceptingConnectionsAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    private static async Task InitializeClusterAsync(string bin, LocalPostgresOptions options, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(options.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(options.DataDirectory);
        var passwordFile = Path.Combine(Path.GetTempPath(), $"stockgod-pw-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, options.Password, cancellationToken);
        try
        {
            if (LocalProcess.IsRoot)
            {
                await ChownAsync(options.DataDirectory, cancellationToken);
                await ChownAsync(passwordFile, cancellationToken);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(options.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            List<string> args =
            [
                "-D", options.DataDirectory, "-U", UserName, "--pwfile", passwordFile,
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
            ];
            if (!options.Durable)
            {
                args.Add("--no-sync");
            }

            var (exitCode, output) = await LocalProcess.RunAsync(Path.Combine(bin, "initdb"), args, OsUser, cancellationToken);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"initdb failed with exit code {exitCode}:\n{output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>
    /// A run that was killed (SIGKILL, power loss of the terminal) leaves its server running on the data folder and
    /// PostgreSQL refuses a second one; stop it, as it would have been stopped.
    /// </summary>
    private static async Task StopOrphanedServerAsync(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)
            || !int.TryParse((await File.ReadAllLinesAsync(pidFile)).FirstOrDefault(), out var pid)
            || !File.Exists($"/proc/{pid}/cmdline")
            || !(await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Contains("postgres", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            using var orphan = Process.GetProcessById(pid);
            await LocalProcess.StopAsync(orphan, LocalProcess.SIGINT, TimeSpan.FromSeconds(30));
        }
        catch (ArgumentException)
        {
            // It exited meanwhile.
        }
    }

    private static async Task ChownAsync(string path, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await LocalProcess.RunAsync("chown", ["-R", $"{OsUser}:{OsUser}", path], null, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"chown {path} failed: {output}");
        }
    }

    /// <summary>True when a connection to the <c>postgres</c> database opens and answers.</summary>
    public Task<bool> IsAcceptingConnectionsAsync(CancellationToken cancellationToken = default) =>
        IsAcceptingConnectionsAsync(GetConnectionString("postgres"), cancellationToken);

    /// <summary>True when a connection with <paramref name="connectionString"/> opens and answers a query.</summary>
    public static async Task<bool> IsAcceptingConnectionsAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task WaitUntilAcceptingConnectionsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await IsAcceptingConnectionsAsync(cancellationToken))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL exited with code {_process.ExitCode} while starting.");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"PostgreSQL did not accept connections on port {Port} within {timeout}.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Creates a database; one that already exists is left as it is (as Aspire's AddDatabase does).</summary>
    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        CreateDatabaseAsync(GetConnectionString(), name, cancellationToken);

    /// <summary>Creates a database on the server of <paramref name="serverConnectionString"/> unless it exists.</summary>
    public static async Task CreateDatabaseAsync(string serverConnectionString, string name, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
        }
    }

    /// <summary>Fast shutdown (SIGINT): open transactions are rolled back, the cluster is left consistent.</summary>
    public Task StopAsync() => LocalProcess.StopAsync(_process, LocalProcess.SIGINT, TimeSpan.FromSeconds(30));

    /// <summary>
    /// Immediate shutdown (SIGQUIT): no checkpoint, the cluster needs crash recovery to start again. Only for a
    /// throwaway cluster about to be deleted, where a fast shutdown's checkpoint is wasted time.
    /// </summary>
    public Task StopImmediatelyAsync() => LocalProcess.StopAsync(_process, LocalProcess.SIGQUIT, TimeSpan.FromSeconds(5));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
