using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using StockGod.Trading.Events;

namespace StockGod.Testing.Events;

/// <summary><see cref="ITradingEventPublisher"/> composed as the Scheduler composes it: its own Redis connection, AddTradingEventPublisher.</summary>
public sealed class SchedulerEvents : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly ServiceProvider _services;

    private SchedulerEvents(ConnectionMultiplexer redis, ServiceProvider services)
    {
        _redis = redis;
        _services = services;
        Publisher = services.GetRequiredService<ITradingEventPublisher>();
    }

    public ITradingEventPublisher Publisher { get; }

    public static async Task<SchedulerEvents> ConnectAsync(string redisConnectionString)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(redisConnectionString);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConnectionMultiplexer>(redis)
            .AddTradingEventPublisher()
            .BuildServiceProvider();
        return new SchedulerEvents(redis, services);
    }

    public async ValueTask DisposeAsync()
    {
        // The container does not dispose an instance it was given.
        await _services.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
