extern alias api;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using StockGod.Testing;
using StockGod.Testing.MarketData;

namespace StockGod.Api.Tests.Support;

/// <summary>
/// The Api in-process over a fresh PostgreSQL database (migrated by the Api itself at start-up), the shared Redis and a
/// real MarketData (synthetic market, fake clock at <see cref="MarketDataTestHost.MarketOpen"/>) reached over gRPC.
/// Rate limits are raised so tests that are not about them never meet them; <see cref="Settings"/> overrides any key.
/// </summary>
public class ApiFactory : WebApplicationFactory<api::Program>, IAsyncLifetime
{
    public const string OperatorEmail = "operator@stockgod.test";

    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    private ApiFactory? _replicaOf;

    public string DatabaseConnectionString { get; private set; } = string.Empty;

    public string RedisConnectionString { get; private set; } = string.Empty;

    public MarketDataTestHost MarketData { get; private set; } = null!;

    private Task<UserClient>? _operator;

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        if (_replicaOf is { } primary)
        {
            DatabaseConnectionString = primary.DatabaseConnectionString;
            RedisConnectionString = primary.RedisConnectionString;
            MarketData = primary.MarketData;
        }
        else
        {
            DatabaseConnectionString = await DatabaseAsync();
            RedisConnectionString = await RedisAsync();
            MarketData = await MarketDataTestHost.StartAsync(RedisConnectionString);
            await StartDependenciesAsync();
        }

        _ = Server; // starts the host: migrations run now, once
    }

    /// <summary>Starts what a derived factory runs beside the Api, before the Api (its <see cref="Settings"/> may name them).</summary>
    protected virtual Task StartDependenciesAsync() => Task.CompletedTask;

    /// <summary>A second Api replica over this one's database, Redis and MarketData: what replicas behind a load balancer share.</summary>
    public async Task<ApiFactory> StartReplicaAsync()
    {
        var replica = new ApiFactory { _replicaOf = this };
        await replica.InitializeAsync();
        return replica;
    }

    /// <summary>The Api's database: a fresh one on the shared server unless a test needs a server of its own.</summary>
    protected virtual Task<string> DatabaseAsync() => TestServers.CreateDatabaseAsync("api");

    /// <summary>The Redis server the Api and MarketData use; the shared one unless a test needs its own.</summary>
    protected virtual Task<string> RedisAsync() => TestServers.RedisAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:stockgod"] = DatabaseConnectionString,
            ["ConnectionStrings:redis"] = RedisConnectionString,
            ["services:marketdata:http:0"] = MarketData.Address.ToString(),
            ["Jwt:SigningKey"] = SigningKey,
            ["Identity:OperatorEmails:0"] = OperatorEmail,
            ["RateLimiting:Anonymous:PermitLimit"] = "100000",
            ["RateLimiting:Authenticated:PermitLimit"] = "100000",
            ["RateLimiting:SignIn:PermitLimit"] = "100000",
            ["RateLimiting:Portfolios:PermitLimit"] = "100000",
            ["RateLimiting:SymbolSearch:PermitLimit"] = "100000",
            ["RateLimiting:Backtests:PermitLimit"] = "100000",
            ["Market:SymbolDirectory:Path"] = SharedData.PathOf("sp500-constituents.csv"),
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The operator (registered once per factory with <see cref="OperatorEmail"/>).</summary>
    public Task<UserClient> OperatorAsync() => _operator ??= CreateUserAsync(OperatorEmail);

    /// <summary>Registers a new user (unique email) and returns a client that sends their bearer token.</summary>
    public async Task<UserClient> CreateUserAsync(string? email = null)
    {
        email ??= $"user-{Guid.NewGuid():N}@stockgod.test";
        const string password = "correct horse battery staple";
        var client = CreateClient();
        var registered = await client.PostAsJsonAsync("/api/v1/accounts/register", new { email, password, display_name = "Test User" }, TestContext.Current.CancellationToken);
        registered.EnsureSuccessStatusCode();
        var id = (await registered.ReadJsonAsync()).GetProperty("id").GetGuid();
        var token = await client.PostAsJsonAsync("/api/v1/accounts/token", new { email, password }, TestContext.Current.CancellationToken);
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.ReadJsonAsync()).GetProperty("access_token").GetString()!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return new UserClient(id, email, accessToken, client);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (MarketData is not null && _replicaOf is null)
        {
            await MarketData.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed record UserClient(Guid Id, string Email, string AccessToken, HttpClient Http);
