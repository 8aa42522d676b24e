using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Hosting;

/// <summary>The fluent handle on a resource that <c>With…</c> and <c>WaitFor</c> extend, as in Aspire.</summary>
public interface IResourceBuilder<out T> where T : Resource
{
    DistributedApplicationBuilder ApplicationBuilder { get; }

    T Resource { get; }
}

internal sealed class ResourceBuilder<T>(DistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T>
    where T : Resource
{
    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;
}
