extern alias MarketDataServer;
using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MarketDataServer::StockGod.MarketData.Extensions;
using MarketDataServer::StockGod.MarketData.Providers;

namespace StockGod.Testing.MarketData;

/// <summary>
/// MarketData composed exactly as its Program does, on Kestrel on loopback (HTTP/2 cleartext), with a fake clock,
/// real Redis (keys of its own), optionally a clock shared with a fake Alpaca and extra registrations (e.g. fake
/// logging), and the provider wrapped in a <see cref="CountingProvider"/>. Consumers reach it at
/// <see cref="Address"/> (for Api and Scheduler: <c>services:marketdata:http:0</c>, what Aspire injects) or through
/// <see cref="Channel"/> with the client types of their own compilation of the contract.
/// </summary>
public sealed class MarketDataTestHost : IAsyncDisposable
{
    /// <summary>Tuesday 10 March 2026, 11:00 New York: the market is open.</summary>
    public static readonly DateTimeOffset MarketOpen = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);

    private MarketDataTestHost(WebApplication app, FakeTimeProvider time, CountingProvider provider, Uri address)
    {
        App = app;
        Time = time;
        Provider = provider;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public CountingProvider Provider { get; }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public static async Task<MarketDataTestHost> StartAsync(
        string redis,
        DateTimeOffset? now = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        string environment = "Production",
        string? redisKeyPrefix = null,
        FakeTimeProvider? time = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["ConnectionStrings:redis"] = redis;
        builder.Configuration["MarketData:Cache:RedisKeyPrefix"] = redisKeyPrefix ?? $"test:{Guid.NewGuid():N}:";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.AddServiceDefaults();
        builder.AddApplicationServices();

        time ??= new FakeTimeProvider(now ?? MarketOpen);
        builder.Services.AddSingleton<TimeProvider>(time);
        configure?.Invoke(builder);
        CountingProvider? counting = null;
        var real = builder.Services.Single(d => d.ServiceType == typeof(IMarketDataProvider));
        builder.Services.Remove(real);
        builder.Services.AddSingleton<IMarketDataProvider>(sp => counting = new CountingProvider(
            real.ImplementationFactory is { } factory
                ? (IMarketDataProvider)factory(sp)
                : (IMarketDataProvider)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!)));

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapMarketDataApi();
        await app.StartAsync();
        _ = app.Services.GetRequiredService<IMarketDataProvider>();
        return new MarketDataTestHost(app, time, counting!, new Uri(app.Urls.Single()));
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.DisposeAsync();
    }
}
