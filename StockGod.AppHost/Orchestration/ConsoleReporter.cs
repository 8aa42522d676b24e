using System.Globalization;

namespace StockGod.AppHost.Orchestration;

/// <summary>
/// Prints each resource's state, health and URLs as they change, one aligned line each, and how long the run took
/// to become healthy the first time everything is.
/// </summary>
public sealed class ConsoleReporter(TextWriter output, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private IReadOnlyList<ResourceInstance> _instances = [];
    private DateTimeOffset _startedAt;
    private bool _reportedAllHealthy;

    /// <param name="startedAt">When the AppHost started.</param>
    public void Attach(IReadOnlyList<ResourceInstance> instances, DateTimeOffset startedAt)
    {
        _instances = instances;
        _startedAt = startedAt;
        foreach (var instance in instances)
        {
            instance.Changed += Report;
        }
    }

    private void Report(ResourceInstance instance)
    {
        if (instance is { State: ResourceState.Running, Health: HealthStatus.Unknown })
        {
            return; // The first probe follows at once.
        }

        var health = instance.State == ResourceState.Running ? instance.Health.ToString() : string.Empty;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{timeProvider.GetLocalNow():HH:mm:ss} {instance.Name,-22} {instance.State,-10} {health,-10} {string.Join(' ', instance.Urls)} {instance.Message}");
        lock (_lock)
        {
            output.WriteLine(line.TrimEnd());
            if (!_reportedAllHealthy && _instances.All(i => i.IsHealthy))
            {
                _reportedAllHealthy = true;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"All {_instances.Count} resources are healthy, {(timeProvider.GetUtcNow() - _startedAt).TotalSeconds:0.0} s after the AppHost started."));
            }
        }
    }
}
