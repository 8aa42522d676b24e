using StockGod.AppHost.Local;
using StockGod.Api.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.Events;
using StockGod.Trading.Events;

namespace StockGod.Api.Tests;

/// <summary>The relay's subscription and the SignalR backplane reconnect by themselves when Redis comes back.</summary>
public sealed class RedisOutageTests(RedisOutageTests.DedicatedRedisApiFactory factory) : IClassFixture<RedisOutageTests.DedicatedRedisApiFactory>
{
    [Fact(Timeout = 180_000)]
    public async Task Delivery_resumes_after_redis_restarts()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await factory.CreateUserAsync();
        await using var stream = await StreamClient.ConnectAsync(factory, user);
        await using var scheduler = await SchedulerEvents.ConnectAsync(factory.RedisConnectionString);
        var before = await PublishUntilReceivedAsync(scheduler, stream, user.Id);

        await factory.Redis.RestartAsync(TestContext.Current.CancellationToken);

        // Events published while the subscriptions are still reconnecting are lost (pub/sub keeps nothing), so the
        // Scheduler's side keeps publishing new ones until one arrives.
        var after = await PublishUntilReceivedAsync(scheduler, stream, user.Id);
        Assert.NotEqual(before, after);
    }

    /// <summary>Publishes a new alert every half second until the client receives one; returns its id.</summary>
    private static async Task<Guid> PublishUntilReceivedAsync(SchedulerEvents scheduler, StreamClient stream, Guid userId)
    {
        var published = new HashSet<Guid>();
        while (true)
        {
            var alert = new AlertTriggered(Guid.NewGuid(), "AAPL", 1m, 2m, DateTimeOffset.UtcNow);
            published.Add(alert.AlertId);
            await scheduler.Publisher.PublishToUserAsync(userId, alert, alert.TriggeredAt, TestContext.Current.CancellationToken);
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            poll.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                var received = await stream.NextAsync(poll.Token);
                var id = received.Payload.GetProperty("alert_id").GetGuid();
                Assert.Contains(id, published);
                return id;
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    public sealed class DedicatedRedisApiFactory : ApiFactory
    {
        public LocalRedisServer Redis { get; private set; } = null!;

        protected override async Task<string> RedisAsync()
        {
            Redis = await TestServers.StartDedicatedRedisAsync();
            return Redis.ConnectionString;
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (Redis is not null)
            {
                await Redis.DisposeAsync();
            }
        }
    }
}
