using System.Text.Encodings.Web;
using System.Text.Json;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;

namespace StockGod.AppHost.Publishing;

/// <summary>
/// Writes the graph as Aspire's deployment manifest (<c>aspire-manifest.json</c>, ASPIRE.md §4) for azd or Aspir8:
/// servers as <c>container.v0</c>, the database as <c>value.v0</c>, passwords as secret <c>parameter.v0</c> inputs,
/// services as <c>project.v0</c>. Every value that differs per deployment is a placeholder; no secret is written.
/// </summary>
public static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";

    /// <returns>The full path of the manifest written.</returns>
    public static async Task<string> WriteAsync(DistributedApplicationModel model, string outputPath, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var stream = File.Create(path);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            // Placeholders and connection strings stay readable (no \u0026-style escapes), as Aspire writes them.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        Write(writer, model, Path.GetDirectoryName(path)!);
        await writer.FlushAsync(cancellationToken);
        return path;
    }

    private static void Write(Utf8JsonWriter writer, DistributedApplicationModel model, string manifestDirectory)
    {
        writer.WriteStartObject();
        writer.WriteString("$schema", SchemaUrl);
        writer.WriteStartObject("resources");
        foreach (var resource in model.Resources)
        {
            writer.WriteStartObject(resource.Name);
            switch (resource)
            {
                case PostgresServerResource postgres:
                    WritePostgres(writer, postgres);
                    break;
                case PostgresDatabaseResource database:
                    writer.WriteString("type", "value.v0");
                    writer.WriteString("connectionString", database.ConnectionStringExpression.ValueExpression);
                    break;
                case RedisResource redis:
                    WriteRedis(writer, redis);
                    break;
                case ProjectResource project:
                    WriteProject(writer, project, manifestDirectory);
                    break;
                default:
                    writer.WriteString("error", "This resource does not support generation in the manifest.");
                    break;
            }

            writer.WriteEndObject();
        }

        foreach (var parameter in model.Parameters)
        {
            writer.WriteStartObject(parameter.Name);
            WriteParameter(writer, parameter);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WritePostgres(Utf8JsonWriter writer, PostgresServerResource postgres)
    {
        WriteContainerHeader(writer, postgres.ConnectionStringExpression, $"{PostgresServerResource.Image}:{PostgresServerResource.ImageTag}");
        writer.WriteStartObject("env");
        writer.WriteString("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256");
        writer.WriteString("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256");
        writer.WriteString("POSTGRES_USER", PostgresServerResource.UserName);
        writer.WriteString("POSTGRES_PASSWORD", postgres.Password.ValueExpression);
        writer.WriteEndObject();
        WriteBindings(writer, postgres.PrimaryEndpoint);
    }

    private static void WriteRedis(Utf8JsonWriter writer, RedisResource redis)
    {
        WriteContainerHeader(writer, redis.ConnectionStringExpression, $"{RedisResource.Image}:{RedisResource.ImageTag}");
        // The password goes through the environment, not the command line (aspire#3838).
        writer.WriteString("entrypoint", "/bin/sh");
        writer.WriteStartArray("args");
        writer.WriteStringValue("-c");
        writer.WriteStringValue("redis-server --requirepass $REDIS_PASSWORD");
        writer.WriteEndArray();
        writer.WriteStartObject("env");
        writer.WriteString("REDIS_PASSWORD", redis.Password.ValueExpression);
        writer.WriteEndObject();
        WriteBindings(writer, redis.PrimaryEndpoint);
    }

    private static void WriteContainerHeader(Utf8JsonWriter writer, ReferenceExpression connectionString, string image)
    {
        writer.WriteString("type", "container.v0");
        writer.WriteString("connectionString", connectionString.ValueExpression);
        writer.WriteString("image", image);
    }

    private static void WriteProject(Utf8JsonWriter writer, ProjectResource project, string manifestDirectory)
    {
        writer.WriteString("type", "project.v0");
        writer.WriteString("path", Path.GetRelativePath(manifestDirectory, project.Metadata.ProjectPath).Replace('\\', '/'));
        writer.WriteStartObject("env");
        var context = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish, "manifest", null);
        foreach (var (name, value) in ProjectEnvironment.Get(project, context))
        {
            writer.WriteString(name, value is IValueExpression expression ? expression.ValueExpression : (string)value);
        }

        writer.WriteEndObject();
        WriteBindings(writer, project.HttpEndpoint);
    }

    private static void WriteBindings(Utf8JsonWriter writer, EndpointAnnotation endpoint)
    {
        writer.WriteStartObject("bindings");
        writer.WriteStartObject(endpoint.Name);
        writer.WriteString("scheme", endpoint.Scheme);
        writer.WriteString("protocol", "tcp");
        writer.WriteString("transport", endpoint.Transport);
        if (endpoint.TargetPort is { } targetPort)
        {
            writer.WriteNumber("targetPort", targetPort);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteParameter(Utf8JsonWriter writer, ParameterResource parameter)
    {
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        writer.WriteStartObject("default");
        writer.WriteStartObject("generate");
        writer.WriteNumber("minLength", parameter.GenerateMinLength);
        if (!parameter.GenerateSpecial)
        {
            writer.WriteBoolean("special", false);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
