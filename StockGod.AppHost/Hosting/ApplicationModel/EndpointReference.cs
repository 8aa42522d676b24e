using System.Globalization;

namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>A network endpoint of a resource (<c>tcp</c> for servers, <c>http</c> for projects).</summary>
/// <param name="Transport"><c>tcp</c>, <c>http</c>, or <c>http2</c> for gRPC services (cleartext HTTP/2).</param>
/// <param name="TargetPort">The port inside the container; null for projects (the deployment picks it).</param>
public sealed class EndpointAnnotation(Resource resource, string name, string scheme, string transport, int? targetPort)
{
    private int[] _allocatedPorts = [];

    public Resource Resource { get; } = resource;

    public string Name { get; } = name;

    public string Scheme { get; } = scheme;

    public string Transport { get; internal set; } = transport;

    public int? TargetPort { get; } = targetPort;

    /// <summary>The local ports of a run, one per replica; servers and projects listen on them directly (no proxy).</summary>
    public IReadOnlyList<int> AllocatedPorts => _allocatedPorts;

    public bool IsAllocated => _allocatedPorts.Length > 0;

    internal void Allocate(IEnumerable<int> ports) => _allocatedPorts = [.. ports];

    public string GetUrl(int replica) => $"{Scheme}://localhost:{AllocatedPorts[replica].ToString(CultureInfo.InvariantCulture)}";

    public EndpointReference Property(EndpointProperty property) => new(this, property);

    public EndpointReference Url => Property(EndpointProperty.Url);

    public EndpointReference Host => Property(EndpointProperty.Host);

    public EndpointReference Port => Property(EndpointProperty.Port);
}

public enum EndpointProperty
{
    Url,
    Host,
    Port,
    TargetPort,
}

/// <summary>One property of an endpoint: <c>{name.bindings.endpoint.property}</c> in the manifest.</summary>
public sealed class EndpointReference(EndpointAnnotation endpoint, EndpointProperty property) : IValueExpression
{
    public EndpointAnnotation Endpoint { get; } = endpoint;

    public EndpointProperty Property { get; } = property;

    public string ValueExpression =>
        $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.Name}.{Property switch
        {
            EndpointProperty.Url => "url",
            EndpointProperty.Host => "host",
            EndpointProperty.Port => "port",
            _ => "targetPort",
        }}}}";

    public string GetValue()
    {
        if (!Endpoint.IsAllocated)
        {
            throw new InvalidOperationException($"Endpoint '{Endpoint.Resource.Name}/{Endpoint.Name}' has no port yet.");
        }

        return Property switch
        {
            EndpointProperty.Url => Endpoint.GetUrl(0),
            EndpointProperty.Host => "localhost",
            _ => Endpoint.AllocatedPorts[0].ToString(CultureInfo.InvariantCulture),
        };
    }
}
