using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Hosting;

/// <summary>Aspire's vocabulary for building the graph.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>A PostgreSQL server with a generated <c>{name}-password</c> parameter.</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this DistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddResource(new ParameterResource($"{name}-password", secret: true, generateMinLength: 22, generateSpecial: true));
        return builder.AddResource(new PostgresServerResource(name, password.Resource));
    }

    /// <summary>A database of the server; <paramref name="databaseName"/> defaults to the resource name.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.AddDatabase(database);
        return server.ApplicationBuilder.AddResource(database);
    }

    /// <summary>A Redis server with a generated <c>{name}-password</c> parameter (no special characters: StackExchange.Redis splits on commas).</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddResource(new ParameterResource($"{name}-password", secret: true, generateMinLength: 22, generateSpecial: false));
        return builder.AddResource(new RedisResource(name, password.Resource));
    }

    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject()));

    /// <summary>Injects <c>ConnectionStrings__{name}</c>.</summary>
    public static IResourceBuilder<ProjectResource> WithReference<T>(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<T> source)
        where T : Resource, IResourceWithConnectionString
    {
        builder.Resource.AddReference(source.Resource);
        return builder;
    }

    /// <summary>Injects the service-discovery variables of the project's endpoints (<c>services__{name}__http__0</c>, <c>{NAME}_HTTP</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> source)
    {
        builder.Resource.AddReference(source.Resource);
        return builder;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> (and its parent, for a database) is running and healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency) where T : Resource
    {
        builder.Resource.AddWait(dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.AddEnvironment(name, value);
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, IValueExpression value)
    {
        builder.Resource.AddEnvironment(name, value);
        return builder;
    }

    /// <summary>The project is healthy when a GET of <paramref name="path"/> on its http endpoint answers 200.</summary>
    public static IResourceBuilder<ProjectResource> WithHttpHealthCheck(this IResourceBuilder<ProjectResource> builder, string path = "/")
    {
        builder.Resource.HealthCheckPath = path;
        return builder;
    }

}
