using Microsoft.Extensions.Configuration;

namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>What the build knows of a service project (the generated <c>Projects.*</c> types implement it).</summary>
public interface IProjectMetadata
{
    /// <summary>The .csproj file.</summary>
    string ProjectPath { get; }

    /// <summary>The built assembly for the configuration the AppHost was built with.</summary>
    string TargetPath { get; }
}

/// <summary>A .NET service: <c>project.v0</c> in the manifest, a child process of the AppHost in a local run.</summary>
public sealed class ProjectResource : Resource
{
    private readonly List<object> _references = [];
    private readonly List<KeyValuePair<string, object>> _environment = [];

    public ProjectResource(string name, IProjectMetadata metadata) : base(name)
    {
        Metadata = metadata;
        HttpEndpoint = new EndpointAnnotation(this, "http", "http", UsesHttp2Only(ProjectDirectory) ? "http2" : "http", targetPort: null);
    }

    public override string Type => "Project";

    public IProjectMetadata Metadata { get; }

    public string ProjectDirectory => Path.GetDirectoryName(Metadata.ProjectPath)!;

    public EndpointAnnotation HttpEndpoint { get; }

    public int Replicas { get; internal set; } = 1;

    /// <summary>The path the AppHost polls for health (<c>WithHttpHealthCheck</c>); null: healthy once running.</summary>
    public string? HealthCheckPath { get; internal set; }

    /// <summary>Referenced resources, in the order they were referenced: connection-string resources and projects.</summary>
    public IReadOnlyList<object> References => _references;

    /// <summary>Variables given with <c>WithEnvironment</c>: a string or an <see cref="IValueExpression"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Environment => _environment;

    internal void AddReference(object resource)
    {
        if (!_references.Contains(resource))
        {
            _references.Add(resource);
        }
    }

    internal void AddEnvironment(string name, object value) => _environment.Add(new(name, value));

    /// <summary>
    /// gRPC services set <c>Kestrel:EndpointDefaults:Protocols=Http2</c> in appsettings.json; their endpoint then
    /// speaks cleartext HTTP/2 only (transport <c>http2</c>, as Aspire models eShop's Basket.API).
    /// </summary>
    private static bool UsesHttp2Only(string projectDirectory)
    {
        var appSettings = Path.Combine(projectDirectory, "appsettings.json");
        if (!File.Exists(appSettings))
        {
            return false;
        }

        var configuration = new ConfigurationBuilder().AddJsonFile(appSettings).Build();
        return string.Equals(configuration["Kestrel:EndpointDefaults:Protocols"], "Http2", StringComparison.OrdinalIgnoreCase);
    }
}
