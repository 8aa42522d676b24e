using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace StockGod.Trading.Events;

/// <summary>Publishes events for the Api to relay to SignalR clients.</summary>
public interface ITradingEventPublisher
{
    /// <summary>
    /// Publishes one event. Never throws for transport failures: an event is a notification of a change that is
    /// already stored, so losing one must not fail (or retry) the work that caused it.
    /// </summary>
    Task PublishAsync(TradingEventEnvelope envelope, CancellationToken cancellationToken = default);
}

public static class TradingEventPublisherExtensions
{
    public static Task PublishToUserAsync<T>(this ITradingEventPublisher publisher, Guid userId, T payload, DateTimeOffset at, CancellationToken cancellationToken = default)
        where T : ITradingEvent =>
        publisher.PublishAsync(TradingEventEnvelope.ForUser(userId, payload, at), cancellationToken);

    public static Task PublishToOperatorsAsync<T>(this ITradingEventPublisher publisher, T payload, DateTimeOffset at, CancellationToken cancellationToken = default)
        where T : ITradingEvent =>
        publisher.PublishAsync(TradingEventEnvelope.ForOperators(payload, at), cancellationToken);

    /// <summary>Registers the Redis pub/sub publisher; needs an <see cref="IConnectionMultiplexer"/> (AddRedisClient).</summary>
    public static IServiceCollection AddTradingEventPublisher(this IServiceCollection services)
    {
        services.TryAddSingleton<ITradingEventPublisher, RedisTradingEventPublisher>();
        return services;
    }
}

/// <summary>Publishes on the channels <see cref="TradingEventChannels"/> names; the Api's relay subscribes to them.</summary>
internal sealed partial class RedisTradingEventPublisher(IConnectionMultiplexer redis, ILogger<RedisTradingEventPublisher> logger) : ITradingEventPublisher
{
    public async Task PublishAsync(TradingEventEnvelope envelope, CancellationToken cancellationToken = default)
    {
        var channel = RedisChannel.Literal(envelope.UserId is null ? TradingEventChannels.Operators : TradingEventChannels.User);
        try
        {
            await redis.GetSubscriber().PublishAsync(channel, JsonSerializer.Serialize(envelope, TradingEventChannels.Json));
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            LogPublishFailed(logger, ex, envelope.Kind, envelope.EventId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the {Kind} event {EventId}; clients will see the change on their next read")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string kind, Guid eventId);
}
