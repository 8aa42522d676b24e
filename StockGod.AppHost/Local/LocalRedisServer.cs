using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace StockGod.AppHost.Local;

/// <param name="DataDirectory">Where Redis keeps its append-only file; null for a server that keeps nothing.</param>
public sealed record LocalRedisOptions(int Port, string? Password = null, string? DataDirectory = null);

/// <summary><c>redis-server</c> from the machine's packages as a child process on loopback.</summary>
public sealed class LocalRedisServer : IAsyncDisposable
{
    private Process _process;

    private LocalRedisServer(Process process, LocalRedisOptions options, Action<string>? onOutput)
    {
        _process = process;
        Options = options;
        OnOutput = onOutput;
    }

    public LocalRedisOptions Options { get; }

    public Process Process => _process;

    public int Port => Options.Port;

    private Action<string>? OnOutput { get; }

    /// <summary>Aspire's format: <c>localhost:port</c>, with <c>,password=…</c> when one is set.</summary>
    public string ConnectionString => Options.Password is null
        ? $"localhost:{Port}"
        : $"localhost:{Port},password={Options.Password}";

    public static string FindExecutable() =>
        LocalProcess.FindExecutable("redis-server", "/usr/bin", "/usr/local/bin")
        ?? throw new MissingServerPackageException("redis-server not found: install it with 'apt-get install redis-server'.");

    public static async Task<LocalRedisServer> StartAsync(
        LocalRedisOptions options, Action<string>? onOutput = null, CancellationToken cancellationToken = default)
    {
        var server = new LocalRedisServer(Launch(options, onOutput), options, onOutput);
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            // Cancelled or failed while starting: the server must not outlive us.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private static Process Launch(LocalRedisOptions options, Action<string>? onOutput)
    {
        List<string> args =
        [
            "--port", options.Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--daemonize", "no",
        ];
        if (options.DataDirectory is null)
        {
            args.AddRange(["--appendonly", "no"]);
        }
        else
        {
            Directory.CreateDirectory(options.DataDirectory);
            args.AddRange(["--dir", options.DataDirectory, "--appendonly", "yes"]);
        }

        if (options.Password is not null)
        {
            args.AddRange(["--requirepass", options.Password]);
        }

        return LocalProcess.Start(FindExecutable(), args, runAsUser: null, onOutput);
    }

    /// <summary>True when the server answers PING.</summary>
    public Task<bool> PingAsync() => PingAsync(ConnectionString);

    /// <summary>True when the server of <paramref name="connectionString"/> answers PING.</summary>
    public static async Task<bool> PingAsync(string connectionString)
    {
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.ConnectTimeout = 1000;
            options.AbortOnConnectFail = true;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await PingAsync())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} while starting.");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Redis did not answer PING on port {Port} within 30 s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Stops the server (SIGTERM: Redis shuts down cleanly).</summary>
    public Task StopAsync() => LocalProcess.StopAsync(_process, LocalProcess.SIGTERM, TimeSpan.FromSeconds(15));

    /// <summary>Starts the server again on the same port after <see cref="StopAsync"/>, for outage tests.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        _process.Dispose();
        _process = Launch(Options, OnOutput);
        await WaitUntilReadyAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
