extern alias api;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StockGod.Testing;
using StockGod.Testing.MarketData;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Persistence;

namespace StockGod.Benchmarks.Api;

/// <summary>
/// The Api composed by its own Program on Kestrel on loopback (not TestServer), over a fresh database on the real
/// PostgreSQL, the real Redis and a real MarketData (synthetic market, gRPC). Rate limits are out of the way; logs
/// below Warning are off, as they would be under load in production.
/// </summary>
internal sealed class ApiHost : WebApplicationFactory<api::Program>
{
    private readonly string _database;
    private readonly MarketDataTestHost _marketData;

    private ApiHost(string database, string redis, MarketDataTestHost marketData)
    {
        _database = database;
        Redis = redis;
        _marketData = marketData;
        UseKestrel(0);
    }

    public string Redis { get; }

    public Uri Address { get; private set; } = null!;

    public static async Task<ApiHost> StartAsync()
    {
        var redis = await TestServers.RedisAsync();
        var host = new ApiHost(await TestServers.CreateDatabaseAsync("apibench"), redis, await MarketDataTestHost.StartAsync(redis));
        host.StartServer();
        host.Address = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.UseSetting("ConnectionStrings:stockgod", _database);
        builder.UseSetting("ConnectionStrings:redis", Redis);
        builder.UseSetting("services:marketdata:http:0", _marketData.Address.ToString());
        builder.UseSetting("Jwt:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
        foreach (var policy in new[] { "Anonymous", "Authenticated", "SignIn", "Portfolios", "SymbolSearch" })
        {
            builder.UseSetting($"RateLimiting:{policy}:PermitLimit", "1000000000");
        }
    }

    /// <summary>An HTTP/1.1 client with one pooled connection per concurrent caller.</summary>
    public HttpClient CreateLoadClient(int connections, string? accessToken = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = Address,
        };
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return client;
    }

    /// <summary>Registers a user and returns (id, access token).</summary>
    public async Task<(Guid Id, string AccessToken)> CreateUserAsync()
    {
        using var client = CreateLoadClient(1);
        var email = $"bench-{Guid.NewGuid():N}@stockgod.test";
        const string password = "correct horse battery staple";
        var registered = await client.PostAsJsonAsync("/api/v1/accounts/register", new { email, password, display_name = "Bench" });
        registered.EnsureSuccessStatusCode();
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var token = await client.PostAsJsonAsync("/api/v1/accounts/token", new { email, password });
        token.EnsureSuccessStatusCode();
        return (id, (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!);
    }

    /// <summary>Creates a simulated portfolio through the Api and gives it one position per symbol through the domain.</summary>
    public async Task<Guid> CreatePortfolioAsync(string accessToken, IReadOnlyList<string> symbols)
    {
        using var client = CreateLoadClient(1, accessToken);
        var created = await client.PostAsJsonAsync("/api/v1/portfolios", new { name = $"bench-{Guid.NewGuid():N}", starting_cash = "10000000" });
        created.EnsureSuccessStatusCode();
        var portfolioId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var portfolio = await db.Portfolios.Include(p => p.Positions).FirstAsync(p => p.Id == portfolioId);
        foreach (var symbol in symbols)
        {
            portfolio.ApplyFill(Guid.CreateVersion7(), symbol, OrderSide.Buy, 10m, 100m + symbols.Count, 0m, DateTimeOffset.UtcNow);
        }

        await db.SaveChangesAsync();
        return portfolioId;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _marketData.DisposeAsync();
    }
}
