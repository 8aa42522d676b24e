using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Publishing;

namespace StockGod.AppHost.Tests;

/// <summary>The manifest follows Aspire's format (ASPIRE.md §4) so azd and Aspir8 can deploy it.</summary>
public sealed partial class ManifestTests : IDisposable
{
    private readonly AppHostModel.StateFolder _output = new();

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task Servers_database_and_passwords_are_written_as_aspire_writes_them()
    {
        var resources = await PublishAsync();

        Assert.Equal(
            ["postgres", "stockgod", "redis", "marketdata", "api", "scheduler", "postgres-password", "redis-password"],
            resources.EnumerateObject().Select(p => p.Name));

        var postgres = resources.GetProperty("postgres");
        Assert.Equal("container.v0", postgres.GetProperty("type").GetString());
        Assert.Equal(
            "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
            postgres.GetProperty("connectionString").GetString());
        Assert.StartsWith("docker.io/library/postgres:", postgres.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal("{postgres-password.value}", postgres.GetProperty("env").GetProperty("POSTGRES_PASSWORD").GetString());
        Assert.Equal(5432, postgres.GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort").GetInt32());

        var database = resources.GetProperty("stockgod");
        Assert.Equal("value.v0", database.GetProperty("type").GetString());
        Assert.Equal("{postgres.connectionString};Database=stockgod", database.GetProperty("connectionString").GetString());

        var redis = resources.GetProperty("redis");
        Assert.Equal("container.v0", redis.GetProperty("type").GetString());
        Assert.Equal("{redis.bindings.tcp.host}:{redis.bindings.tcp.port},password={redis-password.value}", redis.GetProperty("connectionString").GetString());
        Assert.Equal("{redis-password.value}", redis.GetProperty("env").GetProperty("REDIS_PASSWORD").GetString());
        Assert.Equal(6379, redis.GetProperty("bindings").GetProperty("tcp").GetProperty("targetPort").GetInt32());

        foreach (var (name, special) in new[] { ("postgres-password", true), ("redis-password", false) })
        {
            var parameter = resources.GetProperty(name);
            Assert.Equal("parameter.v0", parameter.GetProperty("type").GetString());
            Assert.Equal($"{{{name}.inputs.value}}", parameter.GetProperty("value").GetString());
            var input = parameter.GetProperty("inputs").GetProperty("value");
            Assert.True(input.GetProperty("secret").GetBoolean());
            var generate = input.GetProperty("default").GetProperty("generate");
            Assert.Equal(22, generate.GetProperty("minLength").GetInt32());
            Assert.Equal(special, !generate.TryGetProperty("special", out var value) || value.GetBoolean());
        }
    }

    [Fact]
    public async Task Projects_carry_path_env_placeholders_and_bindings()
    {
        var resources = await PublishAsync();

        var api = resources.GetProperty("api");
        Assert.Equal("project.v0", api.GetProperty("type").GetString());
        var path = api.GetProperty("path").GetString()!;
        Assert.DoesNotContain('\\', path);
        Assert.True(File.Exists(Path.Combine(_output.Path, path)), $"{path} is relative to the manifest");
        Assert.EndsWith("StockGod.Api/StockGod.Api.csproj", path, StringComparison.Ordinal);

        var env = api.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
                ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
                ["HTTP_PORTS"] = "{api.bindings.http.targetPort}",
                ["ConnectionStrings__stockgod"] = "{stockgod.connectionString}",
                ["ConnectionStrings__redis"] = "{redis.connectionString}",
                ["MARKETDATA_HTTP"] = "{marketdata.bindings.http.url}",
                ["services__marketdata__http__0"] = "{marketdata.bindings.http.url}",
                ["SCHEDULER_HTTP"] = "{scheduler.bindings.http.url}",
                ["services__scheduler__http__0"] = "{scheduler.bindings.http.url}",
            },
            env);
        Assert.Equal("{api.bindings.http.url}", resources.GetProperty("scheduler").GetProperty("env").GetProperty("services__api__http__0").GetString());

        foreach (var (name, transport) in new[] { ("api", "http"), ("marketdata", "http2"), ("scheduler", "http2") })
        {
            var http = resources.GetProperty(name).GetProperty("bindings").GetProperty("http");
            Assert.Equal("http", http.GetProperty("scheme").GetString());
            Assert.Equal("tcp", http.GetProperty("protocol").GetString());
            Assert.Equal(transport, http.GetProperty("transport").GetString());
        }
    }

    [Fact]
    public async Task Every_placeholder_names_a_resource_of_the_manifest_and_no_secret_or_run_value_is_written()
    {
        var manifest = await File.ReadAllTextAsync(await PublishFileAsync(), TestContext.Current.CancellationToken);
        var names = JsonDocument.Parse(manifest).RootElement.GetProperty("resources").EnumerateObject().Select(p => p.Name).ToHashSet();

        var placeholders = Placeholder().Matches(manifest).Select(m => m.Groups["resource"].Value).ToList();
        Assert.NotEmpty(placeholders);
        Assert.All(placeholders, resource => Assert.Contains(resource, names));
        Assert.DoesNotMatch(SecretLiteral(), manifest);
        Assert.DoesNotContain("localhost", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("ASPNETCORE_URLS", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("OTEL_SERVICE_NAME", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_manifest_command_of_the_readme_writes_the_manifest_and_starts_nothing()
    {
        var output = Path.Combine(_output.Path, "aspire-manifest.json");
        var appHost = typeof(DistributedApplication).Assembly.Location;
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[appHost, "--publisher", "manifest", "--output-path", output, "--AppHost:StateDirectory", Path.Combine(_output.Path, "state")])
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, process.ExitCode);
        Assert.Contains(output, stdout, StringComparison.Ordinal);
        Assert.Equal("container.v0", JsonDocument.Parse(await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken))
            .RootElement.GetProperty("resources").GetProperty("postgres").GetProperty("type").GetString());
        Assert.False(Directory.Exists(Path.Combine(_output.Path, "state")), "publishing must not start or prepare a run");
    }

    private async Task<JsonElement> PublishAsync() =>
        JsonDocument.Parse(await File.ReadAllTextAsync(await PublishFileAsync(), TestContext.Current.CancellationToken)).RootElement.GetProperty("resources");

    private async Task<string> PublishFileAsync()
    {
        var app = AppHostModel.Build("--publisher", "manifest", "--output-path", "unused.json");
        Assert.True(app.ExecutionContext.IsPublishMode);
        return await ManifestPublisher.WriteAsync(app.Model, Path.Combine(_output.Path, "aspire-manifest.json"), TestContext.Current.CancellationToken);
    }

    [GeneratedRegex(@"\{(?<resource>[a-z][a-z0-9-]*)\.(connectionString|value|inputs\.value|bindings\.[a-z0-9]+\.(url|host|port|targetPort))\}")]
    private static partial Regex Placeholder();

    /// <summary>A password written as text rather than as a placeholder.</summary>
    [GeneratedRegex(@"(?i)password=(?!\{)")]
    private static partial Regex SecretLiteral();
}
