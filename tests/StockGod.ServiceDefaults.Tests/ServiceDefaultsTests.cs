using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using StackExchange.Redis;
using StockGod.AppHost.Local;
using StockGod.Testing;

namespace StockGod.ServiceDefaults.Tests;

public sealed class ServiceDefaultsTests
{
    [Fact]
    public async Task Health_is_healthy_with_real_postgres_and_redis_and_lists_the_aspire_check_names_in_development()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var redis = await TestServers.RedisAsync();
        await using var app = await StartAsync("Development", postgres, redis);

        var response = await GetAsync(app, "/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"PostgreSql\"", body, StringComparison.Ordinal);
        Assert.Contains("\"StackExchange.Redis\"", body, StringComparison.Ordinal);
        Assert.Contains("\"self\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_health_answers_status_only()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var redis = await TestServers.RedisAsync();
        await using var app = await StartAsync("Production", postgres, redis);

        var response = await GetAsync(app, "/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Service_starts_while_redis_is_down_reports_unhealthy_but_alive_and_recovers_when_redis_returns()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        await using var redis = await TestServers.StartDedicatedRedisAsync();
        await redis.StopAsync();

        await using var app = await StartAsync("Production", postgres, redis.ConnectionString);
        _ = app.Services.GetRequiredService<IConnectionMultiplexer>(); // must not throw while Redis is down

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(app, "/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(app, "/alive")).StatusCode);

        await redis.RestartAsync(TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            status = (await GetAsync(app, "/health")).StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public void Missing_postgres_connection_string_names_the_configuration_key()
    {
        var builder = WebApplication.CreateBuilder();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddNpgsqlDataSource("stockgod"));

        Assert.Contains("ConnectionStrings:stockgod", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_configuration_options_are_bound_from_the_named_aspire_section()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:redis"] = $"localhost:{LocalProcess.FindFreePort()}";
        builder.Configuration["Aspire:StackExchange:Redis:redis:ConfigurationOptions:ConnectTimeout"] = "1234";
        builder.Configuration["Aspire:StackExchange:Redis:redis:ConfigurationOptions:ClientName"] = "stockgod-test";

        builder.AddRedisClient("redis");
        using var provider = builder.Services.BuildServiceProvider();
        using var redis = provider.GetRequiredService<IConnectionMultiplexer>();

        Assert.Equal("stockgod-test", redis.ClientName);
        Assert.Equal(1234, ConfigurationOptions.Parse(redis.Configuration).ConnectTimeout);
    }

    [Fact]
    public async Task Postgres_data_source_is_registered_from_the_aspire_connection_string()
    {
        var postgres = await TestServers.CreateDatabaseAsync();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:stockgod"] = postgres;

        builder.AddNpgsqlDataSource("stockgod");
        await using var provider = builder.Services.BuildServiceProvider();
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand("SELECT current_database()");

        Assert.Equal(new NpgsqlConnectionStringBuilder(postgres).Database, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<WebApplication> StartAsync(string environment, string postgres, string redis)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["ConnectionStrings:stockgod"] = postgres;
        builder.Configuration["ConnectionStrings:redis"] = redis;
        builder.AddServiceDefaults();
        builder.AddNpgsqlDataSource("stockgod");
        builder.AddRedisClient("redis");
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static async Task<HttpResponseMessage> GetAsync(WebApplication app, string path)
    {
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        return await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
    }
}
