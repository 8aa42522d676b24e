using System.Globalization;
using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Hosting;

/// <summary>
/// The environment Aspire gives a project in both modes (ASPIRE.md §2, §4.5), in Aspire's order: each value is a
/// string or an <see cref="IValueExpression"/> that becomes a concrete value in a run and a placeholder in the manifest.
/// </summary>
public static class ProjectEnvironment
{
    public static IReadOnlyList<KeyValuePair<string, object>> Get(ProjectResource project, DistributedApplicationExecutionContext context)
    {
        List<KeyValuePair<string, object>> environment = [new("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory")];
        if (context.IsPublishMode)
        {
            // Containers listen on the binding's target port behind the platform's ingress.
            environment.Add(new("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"));
            environment.Add(new("HTTP_PORTS", project.HttpEndpoint.Property(EndpointProperty.TargetPort)));
        }

        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString resource:
                    environment.Add(new($"ConnectionStrings__{resource.Name}", new ConnectionStringReference(resource)));
                    break;
                case ProjectResource service:
                    AddServiceDiscovery(environment, service, context);
                    break;
            }
        }

        environment.AddRange(project.Environment);
        return environment;
    }

    /// <summary>
    /// <c>{NAME}_HTTP</c> (13.x) and <c>services__{name}__http__{i}</c>. Without a proxy in front of replicas, a run lists
    /// every replica's URL (indexes 0…n-1), which service discovery's configuration provider balances over.
    /// </summary>
    private static void AddServiceDiscovery(List<KeyValuePair<string, object>> environment, ProjectResource service, DistributedApplicationExecutionContext context)
    {
        var endpoint = service.HttpEndpoint;
        environment.Add(new($"{service.Name.ToUpperInvariant().Replace('-', '_')}_{endpoint.Name.ToUpperInvariant()}", endpoint.Url));
        if (context.IsPublishMode || service.Replicas == 1)
        {
            environment.Add(new($"services__{service.Name}__{endpoint.Name}__0", endpoint.Url));
            return;
        }

        for (var replica = 0; replica < service.Replicas; replica++)
        {
            environment.Add(new(
                $"services__{service.Name}__{endpoint.Name}__{replica.ToString(CultureInfo.InvariantCulture)}", endpoint.GetUrl(replica)));
        }
    }
}
