using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using StockGod.Trading.Events;

namespace StockGod.Api.Realtime;

/// <summary>
/// Subscribes to the Scheduler's event channels and forwards each event to its user's (or the operators') group. The
/// SignalR Redis backplane delivers a group send to the connections of every replica, and every replica receives
/// every pub/sub message, so the replicas claim each event id in Redis first and only the winner relays it.
/// </summary>
internal sealed partial class TradingEventRelay(IConnectionMultiplexer redis, IHubContext<StreamHub> hub, ILogger<TradingEventRelay> logger) : IHostedService
{
    private ChannelMessageQueue? _userEvents;
    private ChannelMessageQueue? _operatorEvents;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = redis.GetSubscriber();
        _userEvents = await subscriber.SubscribeAsync(RedisChannel.Literal(TradingEventChannels.User));
        _operatorEvents = await subscriber.SubscribeAsync(RedisChannel.Literal(TradingEventChannels.Operators));
        _userEvents.OnMessage(message => RelayAsync(message, toOperators: false));
        _operatorEvents.OnMessage(message => RelayAsync(message, toOperators: true));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_userEvents is not null)
            {
                await _userEvents.UnsubscribeAsync();
            }

            if (_operatorEvents is not null)
            {
                await _operatorEvents.UnsubscribeAsync();
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or RedisException)
        {
            // The connection is closing or closed with the host: its subscriptions go with it.
        }
    }

    private async Task RelayAsync(ChannelMessage message, bool toOperators)
    {
        TradingEventEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<TradingEventEnvelope>((string)message.Message!, TradingEventChannels.Json);
        }
        catch (JsonException ex)
        {
            LogMalformed(logger, ex, message.Channel.ToString());
            return;
        }

        if (envelope is null
            || !await redis.GetDatabase().StringSetAsync($"stockgod:events:relayed:{envelope.EventId}", 1, TimeSpan.FromMinutes(5), When.NotExists))
        {
            return;
        }

        var group = toOperators ? StreamHub.OperatorsGroup : envelope.UserId is { } userId ? StreamHub.UserGroup(userId) : null;
        if (group is not null)
        {
            await hub.Clients.Group(group).SendAsync(envelope.Kind, envelope.Payload);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a malformed event on {Channel}")]
    private static partial void LogMalformed(ILogger logger, Exception exception, string channel);
}
