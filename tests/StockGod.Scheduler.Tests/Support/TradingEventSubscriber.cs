using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using StockGod.Testing;
using StockGod.Trading.Events;

namespace StockGod.Scheduler.Tests.Support;

/// <summary>
/// The production publisher over the test Redis server, and a subscriber on both event channels that keeps what
/// arrives, as the Api's relay would receive it. Tests share the server, so they match their own users' events.
/// </summary>
internal sealed class TradingEventSubscriber : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly ServiceProvider _services;
    private readonly ConcurrentQueue<TradingEventEnvelope> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private TradingEventSubscriber(ConnectionMultiplexer redis)
    {
        _redis = redis;
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConnectionMultiplexer>(redis)
            .AddTradingEventPublisher()
            .BuildServiceProvider();
    }

    public ITradingEventPublisher Publisher => _services.GetRequiredService<ITradingEventPublisher>();

    public static async Task<TradingEventSubscriber> ConnectAsync()
    {
        var subscriber = new TradingEventSubscriber(await ConnectionMultiplexer.ConnectAsync(await TestServers.RedisAsync()));
        foreach (var channel in (string[])[TradingEventChannels.User, TradingEventChannels.Operators])
        {
            await subscriber._redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel), (_, message) =>
            {
                subscriber._received.Enqueue(JsonSerializer.Deserialize<TradingEventEnvelope>(message.ToString(), TradingEventChannels.Json)!);
                subscriber._arrived.Release();
            });
        }

        return subscriber;
    }

    /// <summary>Waits until <paramref name="count"/> matching events arrived (pub/sub is asynchronous); fails after a minute.</summary>
    public async Task<IReadOnlyList<TradingEventEnvelope>> WaitForAsync(Func<TradingEventEnvelope, bool> match, int count)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        while (_received.Count(match) < count)
        {
            await _arrived.WaitAsync(deadline.Token);
        }

        return [.. _received.Where(match)];
    }

    /// <summary>What matched so far (after a <see cref="WaitForAsync"/> that proves delivery has caught up).</summary>
    public IReadOnlyList<TradingEventEnvelope> Received(Func<TradingEventEnvelope, bool> match) => [.. _received.Where(match)];

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _redis.DisposeAsync();
        _arrived.Dispose();
    }
}
