using System.Text.Json;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Orchestration;

/// <summary>The environment of one project replica in a local run: Aspire's run-mode variables (ASPIRE.md §2, §7.1).</summary>
public static class LocalRunEnvironment
{
    /// <summary>Variables of the AppHost a child must not inherit (as DCP): they would override the child's own.</summary>
    public static readonly IReadOnlySet<string> NotInherited = new HashSet<string>(StringComparer.Ordinal)
    {
        "ASPNETCORE_URLS", "DOTNET_LAUNCH_PROFILE", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
    };

    public static IReadOnlyDictionary<string, string> For(ProjectResource project, int replica, string instanceId, LocalRunOptions options)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = project.HttpEndpoint.GetUrl(replica),
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true",
            ["OTEL_SERVICE_NAME"] = project.Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instanceId}",
        };

        if (options.OtlpEndpoint is not null)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = options.OtlpProtocol!;
            if (options.OtlpApiKey is not null)
            {
                environment["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={options.OtlpApiKey}";
            }

            if (options.IsDevelopment)
            {
                // Telemetry shows up within a second while developing.
                environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
                environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
                environment["OTEL_TRACES_SAMPLER"] = "always_on";
                environment["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
            }
        }

        if (options.IsDevelopment)
        {
            environment["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true";
            environment["OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION"] = "true";
        }

        var context = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run, null, null);
        foreach (var (name, value) in ProjectEnvironment.Get(project, context))
        {
            environment[name] = value is IValueExpression expression ? expression.GetValue() : (string)value;
        }

        // The launch profile's variables go under the AppHost's (Aspire applies them with TryAdd).
        if (ReadLaunchProfile(project.ProjectDirectory) is var (profileName, profileEnvironment))
        {
            environment["DOTNET_LAUNCH_PROFILE"] = profileName;
            foreach (var (name, value) in profileEnvironment)
            {
                environment.TryAdd(name, value);
            }
        }

        // Local runs are Development, as the launch profiles of Aspire's templates make them.
        environment.TryAdd("ASPNETCORE_ENVIRONMENT", "Development");
        return environment;
    }

    /// <summary>The first profile of Properties/launchSettings.json (Aspire's default choice): its name and variables.</summary>
    private static (string Name, IReadOnlyDictionary<string, string> Environment)? ReadLaunchProfile(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, "Properties", "launchSettings.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("profiles", out var profiles))
        {
            return null;
        }

        foreach (var profile in profiles.EnumerateObject())
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            if (profile.Value.TryGetProperty("environmentVariables", out var environment))
            {
                foreach (var variable in environment.EnumerateObject())
                {
                    variables[variable.Name] = variable.Value.GetString() ?? string.Empty;
                }
            }

            return (profile.Name, variables);
        }

        return null;
    }
}
