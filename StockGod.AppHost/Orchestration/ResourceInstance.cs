using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Orchestration;

public enum ResourceState
{
    NotStarted,
    Waiting,
    Starting,
    Running,

    /// <summary>Exited on its own; a project is restarted after a backoff.</summary>
    Failed,
    Stopping,
    Stopped,
}

public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>
/// What runs for a resource: the resource itself, or one replica of a project. Its state, health and output are what
/// the console and the dashboard show; every change is reported through <see cref="Changed"/>.
/// </summary>
public sealed class ResourceInstance(Resource resource, string name)
{
    private readonly Lock _lock = new();

    public Resource Resource { get; } = resource;

    /// <summary>The resource name, or <c>{name}-{suffix}</c> for a replica (its <c>service.instance.id</c>).</summary>
    public string Name { get; } = name;

    public LogBuffer Logs { get; } = new(capacity: 2000);

    public ResourceState State { get; private set; }

    public HealthStatus Health { get; private set; }

    public int? ProcessId { get; private set; }

    public int? ExitCode { get; private set; }

    public int Restarts { get; private set; }

    public IReadOnlyList<string> Urls { get; private set; } = [];

    /// <summary>Why the resource is not running (a dependency it waits for, the error that stopped it).</summary>
    public string? Message { get; private set; }

    public event Action<ResourceInstance>? Changed;

    public bool IsHealthy => State == ResourceState.Running && Health == HealthStatus.Healthy;

    public void SetState(ResourceState state, string? message = null)
    {
        lock (_lock)
        {
            if (State == state && Message == message)
            {
                return;
            }

            State = state;
            Message = message;
            if (state != ResourceState.Running)
            {
                Health = HealthStatus.Unknown;
            }
        }

        Changed?.Invoke(this);
    }

    public void SetHealth(HealthStatus health)
    {
        lock (_lock)
        {
            if (Health == health || State != ResourceState.Running)
            {
                return;
            }

            Health = health;
        }

        Changed?.Invoke(this);
    }

    public void SetProcess(int? processId, IReadOnlyList<string>? urls = null)
    {
        lock (_lock)
        {
            ProcessId = processId;
            Urls = urls ?? Urls;
        }
    }

    public void SetExited(int exitCode, string message)
    {
        lock (_lock)
        {
            ExitCode = exitCode;
        }

        SetState(ResourceState.Failed, message);
    }

    public void CountRestart()
    {
        lock (_lock)
        {
            Restarts++;
        }
    }
}
