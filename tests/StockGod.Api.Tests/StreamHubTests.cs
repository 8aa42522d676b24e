using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Events;

namespace StockGod.Api.Tests;

public sealed class StreamHubTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_receives_their_own_events_published_on_redis_and_never_another_users()
    {
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        await using var aliceConnection = await ConnectAsync(alice);
        await using var bobConnection = await ConnectAsync(bob);
        var aliceReceived = Channel<JsonElement>(aliceConnection);
        var bobReceived = Channel<JsonElement>(bobConnection);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(factory.RedisConnectionString);
        var forAlice = new OrderFilled(Guid.NewGuid(), Guid.NewGuid(), "BRK.B", OrderSide.Buy, 2m, 412.5m, DateTimeOffset.UtcNow);
        var forBob = new OrderFilled(Guid.NewGuid(), Guid.NewGuid(), "AAPL", OrderSide.Sell, 1m, 190m, DateTimeOffset.UtcNow);
        await PublishAsync(redis, TradingEventEnvelope.ForUser(alice.Id, forAlice, DateTimeOffset.UtcNow));
        await PublishAsync(redis, TradingEventEnvelope.ForUser(bob.Id, forBob, DateTimeOffset.UtcNow));

        var aliceEvent = await aliceReceived.Reader.ReadAsync(Ct);
        var bobEvent = await bobReceived.Reader.ReadAsync(Ct);

        Assert.Equal(forAlice.OrderId, aliceEvent.GetProperty("order_id").GetGuid());
        Assert.Equal("BRK.B", aliceEvent.GetProperty("symbol").GetString());
        // Bob's first event is his own: Alice's, published before it, never reached him.
        Assert.Equal(forBob.OrderId, bobEvent.GetProperty("order_id").GetGuid());
        Assert.False(aliceReceived.Reader.TryRead(out _));
    }

    [Fact]
    public async Task The_hub_refuses_connections_without_a_token()
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, "/hubs/stream"), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
            })
            .Build();

        await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(Ct));
    }

    private async Task<HubConnection> ConnectAsync(UserClient user)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, "/hubs/stream"), options =>
            {
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                options.AccessTokenProvider = () => Task.FromResult<string?>(user.AccessToken);
            })
            .Build();
        await connection.StartAsync(Ct);
        return connection;
    }

    private static System.Threading.Channels.Channel<T> Channel<T>(HubConnection connection)
    {
        var channel = System.Threading.Channels.Channel.CreateUnbounded<T>();
        connection.On<T>(OrderFilled.Kind, item => channel.Writer.TryWrite(item));
        return channel;
    }

    private static Task PublishAsync(ConnectionMultiplexer redis, TradingEventEnvelope envelope) =>
        redis.GetSubscriber().PublishAsync(RedisChannel.Literal(TradingEventChannels.User), JsonSerializer.Serialize(envelope, TradingEventChannels.Json));
}
