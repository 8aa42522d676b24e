using StockGod.Api.Tests.Support;
using StockGod.Testing.Events;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Events;

namespace StockGod.Api.Tests;

/// <summary>Two Api replicas over the same database and Redis: every replica receives every event, one relays it.</summary>
public sealed class ReplicaDeliveryTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task An_event_published_once_reaches_a_client_on_either_replica_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var second = await factory.StartReplicaAsync();
        var user = await factory.CreateUserAsync();
        await using var onFirst = await StreamClient.ConnectAsync(factory, user);
        await using var onSecond = await StreamClient.ConnectAsync(second, user);
        await using var scheduler = await SchedulerEvents.ConnectAsync(factory.RedisConnectionString);

        // Several events, so that (whichever replica wins each claim) both relay some of them.
        var at = DateTimeOffset.UtcNow;
        var published = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            var fill = new OrderFilled(Guid.NewGuid(), Guid.NewGuid(), "AAPL", OrderSide.Buy, i + 1, 190m, at);
            published.Add(fill.OrderId);
            await scheduler.Publisher.PublishToUserAsync(user.Id, fill, at, ct);
        }

        var onFirstFills = await ReceiveFillsAsync(onFirst, published.Count);
        var onSecondFills = await ReceiveFillsAsync(onSecond, published.Count);

        // A duplicate is a second relay of an id by the other replica; the marker, published once both clients saw
        // every fill, comes after it on each replica's relay.
        var end = new AlertTriggered(Guid.NewGuid(), "AAPL", 1m, 2m, at);
        await scheduler.Publisher.PublishToUserAsync(user.Id, end, at, ct);
        onFirstFills.AddRange(await ReceiveUntilAsync(onFirst, end.AlertId));
        onSecondFills.AddRange(await ReceiveUntilAsync(onSecond, end.AlertId));

        Assert.Equal(published.Order(), onFirstFills.Order());
        Assert.Equal(published.Order(), onSecondFills.Order());
    }

    /// <summary>The order ids of fills received until <paramref name="distinct"/> different ones arrived.</summary>
    private static async Task<List<Guid>> ReceiveFillsAsync(StreamClient stream, int distinct)
    {
        var fills = new List<Guid>();
        while (fills.Distinct().Count() < distinct)
        {
            fills.Add((await stream.NextAsync(OrderFilled.Kind, Ct)).GetProperty("order_id").GetGuid());
        }

        return fills;
    }

    /// <summary>The order ids of the fills received before the alert <paramref name="endAlertId"/>.</summary>
    private static async Task<List<Guid>> ReceiveUntilAsync(StreamClient stream, Guid endAlertId)
    {
        var fills = new List<Guid>();
        while (true)
        {
            var next = await stream.NextAsync(Ct);
            if (next.Kind == AlertTriggered.Kind && next.Payload.GetProperty("alert_id").GetGuid() == endAlertId)
            {
                return fills;
            }

            if (next.Kind == OrderFilled.Kind)
            {
                fills.Add(next.Payload.GetProperty("order_id").GetGuid());
            }
        }
    }
}
