using System.Text.Json;
using Microsoft.Extensions.Configuration;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Local;

namespace StockGod.AppHost.Orchestration;

/// <summary>
/// Gives a run everything that must be known before anything starts, so every connection string and URL is fixed:
/// the state folder, parameter values and a free port for every endpoint that runs locally.
/// </summary>
public static class LocalRunPreparation
{
    public const string ParametersFileName = "parameters.json";

    public static void Prepare(DistributedApplicationModel model, LocalRunOptions options, IConfiguration configuration)
    {
        if (options.Fresh && Directory.Exists(options.StateDirectory))
        {
            Directory.Delete(options.StateDirectory, recursive: true);
        }

        Directory.CreateDirectory(options.StateDirectory);
        ResolveParameters(model, options.StateDirectory, configuration);

        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case PostgresServerResource postgres when RunsLocally(postgres, model):
                    postgres.PrimaryEndpoint.Allocate([LocalProcess.FindFreePort()]);
                    break;
                case RedisResource redis when RunsLocally(redis, model):
                    redis.PrimaryEndpoint.Allocate([LocalProcess.FindFreePort()]);
                    break;
                case ProjectResource project:
                    project.HttpEndpoint.Allocate(Enumerable.Range(0, project.Replicas).Select(_ => LocalProcess.FindFreePort()));
                    break;
            }
        }
    }

    /// <summary>
    /// Whether the AppHost starts this server: not when the configuration names an existing one, nor (for PostgreSQL)
    /// when every database on it and every direct reference to it is served by existing connection strings.
    /// </summary>
    public static bool RunsLocally(IResourceWithConnectionString resource, DistributedApplicationModel model) => resource switch
    {
        PostgresServerResource server => server.ExistingConnectionString is null
            && (server.Databases.Count == 0
                || server.Databases.Any(d => d.ExistingConnectionString is null)
                || model.Resources.OfType<ProjectResource>().Any(p => p.References.Contains(server))),
        PostgresDatabaseResource => false,
        _ => resource.ExistingConnectionString is null,
    };

    /// <summary>
    /// A parameter's value comes from <c>Parameters:{name}</c>, else from the state folder, else it is generated and
    /// kept there (PostgreSQL's cluster was created with it, so it must survive the run).
    /// </summary>
    private static void ResolveParameters(DistributedApplicationModel model, string stateDirectory, IConfiguration configuration)
    {
        var path = Path.Combine(stateDirectory, ParametersFileName);
        var stored = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
            : [];
        var changed = false;
        foreach (var parameter in model.Parameters)
        {
            if (configuration[$"Parameters:{parameter.Name}"] is { Length: > 0 } configured)
            {
                parameter.SetValue(configured);
                continue;
            }

            if (!stored.TryGetValue(parameter.Name, out var value))
            {
                value = parameter.Generate();
                stored[parameter.Name] = value;
                changed = true;
            }

            parameter.SetValue(value);
        }

        if (changed)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(stored, new JsonSerializerOptions { WriteIndented = true }));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }
}
