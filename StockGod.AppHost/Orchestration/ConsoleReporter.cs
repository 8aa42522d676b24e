using System.Globalization;

namespace StockGod.AppHost.Orchestration;

/// <summary>Prints each resource's state, health and URLs as they change, one aligned line each.</summary>
public sealed class ConsoleReporter(TextWriter output, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();

    public void Attach(IEnumerable<ResourceInstance> instances)
    {
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
        }
    }
}
