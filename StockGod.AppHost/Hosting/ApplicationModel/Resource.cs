namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>A node of the application graph, named as services know it (the only contract between AppHost and service).</summary>
public abstract class Resource(string name)
{
    private readonly List<Resource> _waitsFor = [];

    public string Name { get; } = name;

    /// <summary>The kind shown on the dashboard: Project, Container-like servers, Database.</summary>
    public abstract string Type { get; }

    /// <summary>Resources that must be running and healthy before this one starts (<c>WaitFor</c>).</summary>
    public IReadOnlyList<Resource> WaitsFor => _waitsFor;

    internal void AddWait(Resource dependency)
    {
        if (dependency == this || (this is IResourceWithParent child && child.Parent == dependency))
        {
            throw new InvalidOperationException($"'{Name}' cannot wait for itself or its own parent '{dependency.Name}'.");
        }

        if (!_waitsFor.Contains(dependency))
        {
            _waitsFor.Add(dependency);
        }
    }

    public override string ToString() => Name;
}

/// <summary>A resource that lives inside another one (a database inside its server).</summary>
public interface IResourceWithParent
{
    Resource Parent { get; }
}

/// <summary>A resource services reach through <c>ConnectionStrings__{name}</c>.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    /// <summary>How the connection string is made from endpoints and parameters (the manifest's <c>connectionString</c>).</summary>
    ReferenceExpression ConnectionStringExpression { get; }

    /// <summary>
    /// A connection string given in the AppHost's configuration (<c>ConnectionStrings:{name}</c>): the run uses that
    /// server instead of starting one, as Aspire's <c>AddConnectionString</c> does.
    /// </summary>
    string? ExistingConnectionString { get; set; }
}

/// <summary>The connection string of a resource as a value: <c>{name.connectionString}</c> in the manifest.</summary>
public sealed class ConnectionStringReference(IResourceWithConnectionString resource) : IValueExpression
{
    public IResourceWithConnectionString Resource { get; } = resource;

    public string ValueExpression => $"{{{Resource.Name}.connectionString}}";

    public string GetValue() => Resource.ExistingConnectionString ?? Resource.ConnectionStringExpression.GetValue();
}
