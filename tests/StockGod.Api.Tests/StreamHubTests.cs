using Microsoft.AspNetCore.SignalR.Client;
using StockGod.Api.Tests.Support;
using StockGod.Testing.Events;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Events;

namespace StockGod.Api.Tests;

/// <summary>Events the Scheduler publishes through <see cref="ITradingEventPublisher"/>, as a real SignalR client receives them.</summary>
public sealed class StreamHubTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset At = new(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = 120_000)]
    public async Task A_user_receives_their_own_order_and_alert_events_and_never_another_users()
    {
        var Ct = TestContext.Current.CancellationToken;
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        await using var aliceStream = await StreamClient.ConnectAsync(factory, alice);
        await using var bobStream = await StreamClient.ConnectAsync(factory, bob);
        await using var scheduler = await SchedulerEvents.ConnectAsync(factory.RedisConnectionString);

        var aliceOrder = new OrderStatusChanged(Guid.NewGuid(), Guid.NewGuid(), "c-1", "BRK.B", OrderStatus.PartiallyFilled, 2m, 412.25m);
        var bobFill = new OrderFilled(Guid.NewGuid(), Guid.NewGuid(), "AAPL", OrderSide.Sell, 1m, 190.0001m, At);
        var aliceAlert = new AlertTriggered(Guid.NewGuid(), "MSFT", 400m, 401.37m, At);
        var bobAlert = new AlertTriggered(Guid.NewGuid(), "NVDA", 100m, 99.5m, At);
        await scheduler.Publisher.PublishToUserAsync(alice.Id, aliceOrder, At, Ct);
        await scheduler.Publisher.PublishToUserAsync(bob.Id, bobFill, At, Ct);
        await scheduler.Publisher.PublishToUserAsync(alice.Id, aliceAlert, At, Ct);
        await scheduler.Publisher.PublishToUserAsync(bob.Id, bobAlert, At, Ct);

        // Each user's channel is relayed in publishing order, so the other user's event would show up between their own.
        var first = await aliceStream.NextAsync(Ct);
        var second = await aliceStream.NextAsync(Ct);
        Assert.Equal(OrderStatusChanged.Kind, first.Kind);
        Assert.Equal(aliceOrder.OrderId, first.Payload.GetProperty("order_id").GetGuid());
        Assert.Equal("partially_filled", first.Payload.GetProperty("status").GetString());
        Assert.Equal(412.25m, first.Payload.GetProperty("average_fill_price").GetDecimal());
        Assert.Equal(AlertTriggered.Kind, second.Kind);
        Assert.Equal(aliceAlert.AlertId, second.Payload.GetProperty("alert_id").GetGuid());
        Assert.Equal(401.37m, second.Payload.GetProperty("price").GetDecimal());

        var bobFirst = await bobStream.NextAsync(Ct);
        var bobSecond = await bobStream.NextAsync(Ct);
        Assert.Equal(OrderFilled.Kind, bobFirst.Kind);
        Assert.Equal(190.0001m, bobFirst.Payload.GetProperty("price").GetDecimal());
        Assert.Equal(bobAlert.AlertId, bobSecond.Payload.GetProperty("alert_id").GetGuid());
    }

    [Fact(Timeout = 120_000)]
    public async Task An_operator_receives_job_runs_and_a_user_does_not()
    {
        var Ct = TestContext.Current.CancellationToken;
        var user = await factory.CreateUserAsync();
        var @operator = await factory.CreateUserAsync(ApiFactory.OperatorEmail);
        await using var userStream = await StreamClient.ConnectAsync(factory, user);
        await using var operatorStream = await StreamClient.ConnectAsync(factory, @operator);
        await using var scheduler = await SchedulerEvents.ConnectAsync(factory.RedisConnectionString);

        var run = new JobRunCompleted("mark-to-market", Guid.NewGuid(), "failed", At, At.AddSeconds(3), "MarketData unavailable");
        await scheduler.Publisher.PublishToOperatorsAsync(run, At.AddSeconds(3), Ct);
        var received = await operatorStream.NextAsync(JobRunCompleted.Kind, Ct);
        Assert.Equal(run.ExecutionId, received.GetProperty("execution_id").GetGuid());
        Assert.Equal("MarketData unavailable", received.GetProperty("error").GetString());

        // The job run was sent before this; the user's first event is their own, so the run never reached them.
        var mine = new AlertTriggered(Guid.NewGuid(), "AAPL", 200m, 201m, At);
        await scheduler.Publisher.PublishToUserAsync(user.Id, mine, At, Ct);
        var first = await userStream.NextAsync(Ct);
        Assert.Equal(AlertTriggered.Kind, first.Kind);
        Assert.Equal(mine.AlertId, first.Payload.GetProperty("alert_id").GetGuid());
    }

    [Fact(Timeout = 120_000)]
    public async Task The_hub_refuses_connections_without_a_valid_token()
    {
        var Ct = TestContext.Current.CancellationToken;
        await Assert.ThrowsAsync<HttpRequestException>(() => StreamClient.ConnectAsync(factory, accessToken: null));
        await Assert.ThrowsAsync<HttpRequestException>(() => StreamClient.ConnectAsync(factory, accessToken: "not-a-token"));
    }
}
