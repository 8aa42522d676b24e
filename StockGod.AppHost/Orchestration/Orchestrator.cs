using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Local;

namespace StockGod.AppHost.Orchestration;

/// <summary>
/// Runs the graph locally: PostgreSQL and Redis from the machine's packages (or existing servers named by connection
/// strings), then each project once everything it waits for is running and healthy. Stopping the host stops every
/// project first, then Redis and PostgreSQL, so nothing is left behind.
/// </summary>
public sealed partial class Orchestrator : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan WaitPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly DistributedApplicationModel _model;
    private readonly LocalRunOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<Orchestrator> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ProjectRunner> _projects = [];
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly Lock _serversLock = new();
    private Task _run = Task.CompletedTask;
    private Task? _stop;
    private bool _disposed;

    public Orchestrator(DistributedApplicationModel model, LocalRunOptions options, TimeProvider timeProvider, ILogger<Orchestrator> logger)
    {
        _model = model;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        foreach (var resource in model.Resources)
        {
            if (resource is ProjectResource project)
            {
                for (var replica = 0; replica < project.Replicas; replica++)
                {
                    // service.instance.id: Aspire's DCP gives every replica a random suffix.
                    var suffix = RandomNumberGenerator.GetHexString(8, lowercase: true);
                    var instance = new ResourceInstance(project, project.Replicas == 1 ? project.Name : $"{project.Name}-{suffix}");
                    var environment = LocalRunEnvironment.For(project, replica, suffix, options);
                    _projects.Add(new ProjectRunner(project, replica, instance, environment, timeProvider, logger));
                    Instances.Add(instance);
                }
            }
            else
            {
                Instances.Add(new ResourceInstance(resource, resource.Name));
            }
        }
    }

    /// <summary>Everything the run shows, in the graph's order.</summary>
    public List<ResourceInstance> Instances { get; } = [];

    public IEnumerable<ResourceInstance> InstancesOf(Resource resource) => Instances.Where(i => i.Resource == resource);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _run = Task.WhenAll(Instances.Select(instance => RunAsync(instance, _stopping.Token)));
        return Task.CompletedTask;
    }

    /// <summary>Stops everything once; later calls wait for the same stop.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_serversLock)
        {
            return _stop ??= StopEverythingAsync();
        }
    }

    private async Task StopEverythingAsync()
    {
        await _stopping.CancelAsync();
        await _run;
        await Task.WhenAll(_projects.Select(project => project.StopAsync()));

        IAsyncDisposable[] servers;
        lock (_serversLock)
        {
            servers = [.. _servers];
            _servers.Clear();
        }

        // Redis and PostgreSQL go last: the projects may use them while shutting down.
        await Task.WhenAll(servers.Select(server => server.DisposeAsync().AsTask()));
        foreach (var instance in Instances.Where(i => i.State is not ResourceState.NotStarted))
        {
            instance.SetState(ResourceState.Stopped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var project in _projects)
        {
            await project.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForDependenciesAsync(instance, cancellationToken);
            switch (instance.Resource)
            {
                case PostgresServerResource postgres:
                    await RunPostgresAsync(instance, postgres, cancellationToken);
                    break;
                case PostgresDatabaseResource database:
                    await RunDatabaseAsync(instance, database, cancellationToken);
                    break;
                case RedisResource redis:
                    await RunRedisAsync(instance, redis, cancellationToken);
                    break;
                case ProjectResource:
                    await _projects.Single(p => p.Instance == instance).RunAsync(cancellationToken);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Npgsql.NpgsqlException)
        {
            instance.SetState(ResourceState.Failed, ex.Message);
            LogFailedToStart(_logger, instance.Name, ex.ToString());
        }
    }

    /// <summary><c>WaitFor</c>: every dependency, and the parent of a dependency that has one, is running and healthy.</summary>
    public static IReadOnlyList<Resource> WaitDependencies(Resource resource)
    {
        var dependencies = new List<Resource>();
        if (resource is IResourceWithParent child)
        {
            dependencies.Add(child.Parent);
        }

        foreach (var dependency in resource.WaitsFor)
        {
            if (dependency is IResourceWithParent { Parent: var parent } && !dependencies.Contains(parent))
            {
                dependencies.Add(parent);
            }

            if (!dependencies.Contains(dependency))
            {
                dependencies.Add(dependency);
            }
        }

        return dependencies;
    }

    private async Task WaitForDependenciesAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        foreach (var dependency in WaitDependencies(instance.Resource))
        {
            var instances = InstancesOf(dependency).ToList();
            while (!instances.All(i => i.IsHealthy))
            {
                instance.SetState(ResourceState.Waiting, $"waiting for {dependency.Name}");
                await Task.Delay(WaitPollInterval, _timeProvider, cancellationToken);
            }
        }
    }

    private async Task RunPostgresAsync(ResourceInstance instance, PostgresServerResource postgres, CancellationToken cancellationToken)
    {
        if (!LocalRunPreparation.RunsLocally(postgres, _model))
        {
            await RunExistingAsync(instance, postgres, LocalPostgresServer.IsAcceptingConnectionsAsync, cancellationToken);
            return;
        }

        instance.SetState(ResourceState.Starting);
        var server = await LocalPostgresServer.StartAsync(
            new LocalPostgresOptions(Path.Combine(_options.StateDirectory, "postgres"), postgres.PrimaryEndpoint.AllocatedPorts[0], postgres.Password.GetValue()),
            line => instance.Logs.Add(line, _timeProvider.GetUtcNow()),
            cancellationToken);
        Own(server);
        instance.SetProcess(server.Process.Id, [$"tcp://localhost:{server.Port}"]);
        instance.SetState(ResourceState.Running);
        await MonitorAsync(instance, server.Process, ct => server.IsAcceptingConnectionsAsync(ct), cancellationToken);
    }

    private async Task RunDatabaseAsync(ResourceInstance instance, PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        if (database.ExistingConnectionString is null)
        {
            instance.SetState(ResourceState.Starting);
            await LocalPostgresServer.CreateDatabaseAsync(
                new ConnectionStringReference(database.Server).GetValue(), database.DatabaseName, cancellationToken);
        }

        var connectionString = new ConnectionStringReference(database).GetValue();
        instance.SetState(ResourceState.Running);
        await MonitorAsync(instance, process: null, ct => LocalPostgresServer.IsAcceptingConnectionsAsync(connectionString, ct), cancellationToken);
    }

    private async Task RunRedisAsync(ResourceInstance instance, RedisResource redis, CancellationToken cancellationToken)
    {
        if (!LocalRunPreparation.RunsLocally(redis, _model))
        {
            await RunExistingAsync(instance, redis, (connectionString, _) => LocalRedisServer.PingAsync(connectionString), cancellationToken);
            return;
        }

        instance.SetState(ResourceState.Starting);
        var server = await LocalRedisServer.StartAsync(
            new LocalRedisOptions(redis.PrimaryEndpoint.AllocatedPorts[0], redis.Password.GetValue(), Path.Combine(_options.StateDirectory, "redis")),
            line => instance.Logs.Add(line, _timeProvider.GetUtcNow()),
            cancellationToken);
        Own(server);
        instance.SetProcess(server.Process.Id, [$"tcp://localhost:{server.Port}"]);
        instance.SetState(ResourceState.Running);
        await MonitorAsync(instance, server.Process, _ => server.PingAsync(), cancellationToken);
    }

    /// <summary>A server named by a connection string in the AppHost's configuration: nothing to start, only to probe.</summary>
    private Task RunExistingAsync(
        ResourceInstance instance, IResourceWithConnectionString resource, Func<string, CancellationToken, Task<bool>> probe, CancellationToken cancellationToken)
    {
        var connectionString = new ConnectionStringReference(resource).GetValue();
        instance.SetState(ResourceState.Running, "existing server (ConnectionStrings:" + resource.Name + ")");
        return MonitorAsync(instance, process: null, ct => probe(connectionString, ct), cancellationToken);
    }

    /// <summary>Probes health until the run stops; a server process that exits on its own is shown as failed.</summary>
    private async Task MonitorAsync(
        ResourceInstance instance, System.Diagnostics.Process? process, Func<CancellationToken, Task<bool>> probe, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (process is { HasExited: true })
            {
                instance.SetExited(process.ExitCode, $"exited with code {process.ExitCode}");
                LogServerExited(_logger, instance.Name, process.ExitCode,
                    string.Join(Environment.NewLine, instance.Logs.Last(20).Select(line => "    " + line.Text)));
                return;
            }

            var healthy = await probe(cancellationToken);
            instance.SetHealth(healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy);
            await Task.Delay(healthy ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(250), _timeProvider, cancellationToken);
        }
    }

    private void Own(IAsyncDisposable server)
    {
        lock (_serversLock)
        {
            _servers.Add(server);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} failed to start: {Error}")]
    private static partial void LogFailedToStart(ILogger logger, string resource, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} exited with code {ExitCode}. Last output:\n{Output}")]
    private static partial void LogServerExited(ILogger logger, string resource, int exitCode, string output);
}
