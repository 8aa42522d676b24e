using Npgsql;
using StackExchange.Redis;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Orchestration;

namespace StockGod.AppHost.Tests;

/// <summary>The environment a local run gives each service: Aspire's keys and formats (ASPIRE.md §2, §7.1).</summary>
public sealed class LocalRunEnvironmentTests : IDisposable
{
    private readonly AppHostModel.StateFolder _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public void Api_gets_aspire_connection_strings_service_discovery_urls_and_run_variables()
    {
        var (app, options) = Prepare();
        var postgres = app.Model.Find<PostgresServerResource>("postgres");
        var redis = app.Model.Find<RedisResource>("redis");
        var marketData = app.Model.Find<ProjectResource>("marketdata");
        var api = app.Model.Find<ProjectResource>("api");

        var environment = LocalRunEnvironment.For(api, replica: 0, instanceId: "abc123", options);

        var database = new NpgsqlConnectionStringBuilder(environment["ConnectionStrings__stockgod"]);
        Assert.Equal(
            $"Host=localhost;Port={postgres.PrimaryEndpoint.AllocatedPorts[0]};Username=postgres;Password={postgres.Password.GetValue()};Database=stockgod",
            environment["ConnectionStrings__stockgod"]);
        Assert.Equal("stockgod", database.Database);
        Assert.Equal($"localhost:{redis.PrimaryEndpoint.AllocatedPorts[0]},password={redis.Password.GetValue()}", environment["ConnectionStrings__redis"]);
        Assert.Equal(redis.Password.GetValue(), ConfigurationOptions.Parse(environment["ConnectionStrings__redis"]).Password);

        var marketDataUrl = $"http://localhost:{marketData.HttpEndpoint.AllocatedPorts[0]}";
        Assert.Equal(marketDataUrl, environment["services__marketdata__http__0"]);
        Assert.Equal(marketDataUrl, environment["MARKETDATA_HTTP"]);
        Assert.Equal($"http://localhost:{api.HttpEndpoint.AllocatedPorts[0]}", environment["ASPNETCORE_URLS"]);
        Assert.NotEqual(environment["ASPNETCORE_URLS"], marketDataUrl);

        Assert.Equal("Development", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("http", environment["DOTNET_LAUNCH_PROFILE"]);
        Assert.Equal("api", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("service.instance.id=abc123", environment["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.Equal("simple", environment["LOGGING__CONSOLE__FORMATTERNAME"]);
        Assert.Equal("true", environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"]);
        Assert.Equal("in_memory", environment["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"]);
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", environment.Keys);
        Assert.DoesNotContain("HTTP_PORTS", environment.Keys);
        Assert.DoesNotContain(environment.Keys, key => key.StartsWith("services__api", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_service_gets_only_what_it_references()
    {
        var (app, options) = Prepare();

        var marketData = LocalRunEnvironment.For(app.Model.Find<ProjectResource>("marketdata"), 0, "m", options);
        var scheduler = LocalRunEnvironment.For(app.Model.Find<ProjectResource>("scheduler"), 0, "s", options);

        Assert.Equal(["ConnectionStrings__redis"], marketData.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)));
        Assert.DoesNotContain(marketData.Keys, key => key.StartsWith("services__", StringComparison.Ordinal));
        Assert.Equal(
            ["services__api__http__0", "services__marketdata__http__0"],
            scheduler.Keys.Where(k => k.StartsWith("services__", StringComparison.Ordinal)).Order());
        Assert.Equal($"http://localhost:{app.Model.Find<ProjectResource>("api").HttpEndpoint.AllocatedPorts[0]}", scheduler["services__api__http__0"]);
        Assert.Contains("ConnectionStrings__stockgod", scheduler.Keys);
    }

    [Fact]
    public void Grpc_services_have_an_http2_endpoint_and_the_api_an_http_one()
    {
        var app = AppHostModel.Build();

        Assert.Equal("http2", app.Model.Find<ProjectResource>("marketdata").HttpEndpoint.Transport);
        Assert.Equal("http2", app.Model.Find<ProjectResource>("scheduler").HttpEndpoint.Transport);
        Assert.Equal("http", app.Model.Find<ProjectResource>("api").HttpEndpoint.Transport);
    }

    [Fact]
    public void Otlp_variables_appear_only_when_a_collector_is_configured()
    {
        var (app, options) = Prepare("--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:4317", "--AppHost:OtlpApiKey=k3y");

        var environment = LocalRunEnvironment.For(app.Model.Find<ProjectResource>("api"), 0, "a", options);

        Assert.Equal("http://localhost:4317", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("x-otlp-api-key=k3y", environment["OTEL_EXPORTER_OTLP_HEADERS"]);
    }

    [Fact]
    public void Generated_passwords_are_kept_in_the_state_folder_until_a_fresh_start()
    {
        var (first, _) = Prepare();
        var (second, _) = Prepare();
        var (fresh, _) = Prepare("--fresh");

        var password = first.Model.Find<ParameterResource>("postgres-password").GetValue();
        Assert.True(password.Length >= 22);
        Assert.Equal(password, second.Model.Find<ParameterResource>("postgres-password").GetValue());
        Assert.NotEqual(password, fresh.Model.Find<ParameterResource>("postgres-password").GetValue());
        Assert.NotEqual(
            fresh.Model.Find<ParameterResource>("postgres-password").GetValue(),
            fresh.Model.Find<ParameterResource>("redis-password").GetValue());
    }

    [Fact]
    public void Existing_connection_strings_in_the_apphost_configuration_replace_the_local_servers()
    {
        const string database = "Host=db.example;Port=5433;Username=u;Password=p;Database=stockgod";
        const string cache = "cache.example:6380,password=q";
        var (app, options) = Prepare($"--ConnectionStrings:stockgod={database}", $"--ConnectionStrings:redis={cache}");

        var environment = LocalRunEnvironment.For(app.Model.Find<ProjectResource>("api"), 0, "a", options);

        Assert.Equal(database, environment["ConnectionStrings__stockgod"]);
        Assert.Equal(cache, environment["ConnectionStrings__redis"]);
        Assert.False(LocalRunPreparation.RunsLocally(app.Model.Find<PostgresServerResource>("postgres"), app.Model));
        Assert.False(LocalRunPreparation.RunsLocally(app.Model.Find<RedisResource>("redis"), app.Model));
    }

    [Fact]
    public void Wait_for_holds_each_service_until_what_it_needs_is_healthy()
    {
        var app = AppHostModel.Build();
        string[] WaitsFor(string name) =>
            [.. Orchestrator.WaitDependencies(app.Model.Resources.Single(r => r.Name == name)).Select(r => r.Name)];

        Assert.Empty(WaitsFor("postgres"));
        Assert.Empty(WaitsFor("redis"));
        Assert.Equal(["postgres"], WaitsFor("stockgod"));
        Assert.Equal(["redis"], WaitsFor("marketdata"));
        Assert.Equal(["postgres", "stockgod", "redis", "marketdata"], WaitsFor("api"));
        Assert.Equal(["api"], WaitsFor("scheduler"));
    }

    [Fact]
    public void Replicas_get_a_port_each_and_references_list_every_replica()
    {
        var builder = DistributedApplication.CreateBuilder([$"--AppHost:StateDirectory={_state.Path}"]);
        var redis = builder.AddRedis("cache");
        var backend = builder.AddProject<Projects.StockGod_MarketData>("backend").WithReplicas(2);
        var frontend = builder.AddProject<Projects.StockGod_Api>("frontend")
            .WithReference(backend)
            .WithEnvironment("CACHE_PORT", redis.Resource.PrimaryEndpoint.Port)
            .WithEnvironment("FEATURE", "on");
        var app = builder.Build();
        var options = LocalRunOptions.From(builder.Configuration, builder.Environment);
        LocalRunPreparation.Prepare(app.Model, options, builder.Configuration);

        var environment = LocalRunEnvironment.For(frontend.Resource, 0, "f", options);

        var ports = backend.Resource.HttpEndpoint.AllocatedPorts;
        Assert.Equal(2, ports.Distinct().Count());
        Assert.Equal($"http://localhost:{ports[0]}", environment["services__backend__http__0"]);
        Assert.Equal($"http://localhost:{ports[1]}", environment["services__backend__http__1"]);
        Assert.Equal($"http://localhost:{ports[1]}", LocalRunEnvironment.For(backend.Resource, 1, "b", options)["ASPNETCORE_URLS"]);
        Assert.Equal(redis.Resource.PrimaryEndpoint.AllocatedPorts[0].ToString(System.Globalization.CultureInfo.InvariantCulture), environment["CACHE_PORT"]);
        Assert.Equal("on", environment["FEATURE"]);
    }

    [Fact]
    public void Resource_names_must_be_unique_and_valid()
    {
        var builder = DistributedApplication.CreateBuilder([]);
        builder.AddRedis("cache");

        Assert.Throws<InvalidOperationException>(() => builder.AddRedis("Cache"));
        Assert.Throws<ArgumentException>(() => builder.AddRedis("bad--name"));
        Assert.Throws<ArgumentException>(() => builder.AddRedis("1cache"));
    }

    private (DistributedApplication App, LocalRunOptions Options) Prepare(params string[] extraArgs)
    {
        var app = AppHostModel.Build([$"--AppHost:StateDirectory={_state.Path}", .. extraArgs]);
        var options = LocalRunOptions.From(app.Builder.Configuration, app.Builder.Environment);
        LocalRunPreparation.Prepare(app.Model, options, app.Builder.Configuration);
        return (app, options);
    }
}
