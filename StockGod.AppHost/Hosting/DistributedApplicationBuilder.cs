using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Hosting;

/// <summary>Collects the resource graph and the AppHost's configuration (appsettings, user secrets, environment, command line).</summary>
public sealed partial class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<ParameterResource> _parameters = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        CreatedAt = TimeProvider.System.GetUtcNow();
        HostBuilder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = TranslateArguments(args),
            ContentRootPath = AppHostDirectory,
        });

        var publisher = Configuration["Publishing:Publisher"];
        ExecutionContext = string.IsNullOrEmpty(publisher)
            ? new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run, null, null)
            : new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish, publisher, Configuration["Publishing:OutputPath"]);
    }

    /// <summary>The AppHost project folder (where its appsettings.json lives), or the output folder of a relocated build.</summary>
    public static string AppHostDirectory { get; } =
        typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AppHostProjectDirectory")?.Value is { } dir && Directory.Exists(dir)
            ? dir
            : AppContext.BaseDirectory;

    public ConfigurationManager Configuration => HostBuilder.Configuration;

    public IHostEnvironment Environment => HostBuilder.Environment;

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    internal WebApplicationBuilder HostBuilder { get; }

    /// <summary>When the AppHost's Program began (its start-up time is reported from here, after any build).</summary>
    internal DateTimeOffset CreatedAt { get; }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (!ResourceNamePattern().IsMatch(resource.Name))
        {
            throw new ArgumentException(
                $"Resource name '{resource.Name}' is invalid: use 1-64 ASCII letters, digits and single hyphens, starting with a letter.");
        }

        if (_resources.Concat(_parameters).Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"Cannot add resource '{resource.Name}': a resource with that name already exists.");
        }

        if (resource is ParameterResource parameter)
        {
            // Parameters made for a resource (passwords) are referenced resources: the manifest writes them last.
            _parameters.Add(parameter);
        }
        else
        {
            _resources.Add(resource);
        }

        return new ResourceBuilder<T>(this, resource);
    }

    public DistributedApplication Build()
    {
        if (ExecutionContext.IsRunMode)
        {
            // As Aspire's AddConnectionString: a connection string in the AppHost's configuration replaces the local server.
            foreach (var resource in _resources.OfType<IResourceWithConnectionString>())
            {
                resource.ExistingConnectionString = Configuration.GetConnectionString(resource.Name) is { Length: > 0 } existing ? existing : null;
            }
        }

        return new DistributedApplication(this, new DistributedApplicationModel([.. _resources], [.. _parameters]));
    }

    /// <summary>
    /// Aspire's switches (<c>--publisher</c>, <c>--output-path</c>) and the value-less <c>--fresh</c> become configuration
    /// keys; the command-line provider alone would read <c>--fresh --x y</c> as <c>fresh=--x</c>.
    /// </summary>
    internal static string[] TranslateArguments(string[] args) =>
    [
        .. args.Select(arg => arg switch
        {
            "--fresh" => "--AppHost:Fresh=true",
            "--publisher" => "--Publishing:Publisher",
            "--output-path" => "--Publishing:OutputPath",
            _ => arg,
        }),
    ];

    [GeneratedRegex("^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,63}(?<!-)$")]
    private static partial Regex ResourceNamePattern();
}

/// <summary>The graph: resources in the order they were added, then the parameters they made.</summary>
public sealed class DistributedApplicationModel(IReadOnlyList<Resource> resources, IReadOnlyList<ParameterResource> parameters)
{
    public IReadOnlyList<Resource> Resources { get; } = resources;

    public IReadOnlyList<ParameterResource> Parameters { get; } = parameters;

    public T Find<T>(string name) where T : Resource =>
        Resources.Concat(Parameters).OfType<T>().SingleOrDefault(r => r.Name == name)
        ?? throw new KeyNotFoundException($"No {typeof(T).Name} named '{name}'.");
}
