using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using StockGod.AppHost.Local;
using StockGod.Api.Tests.Support;
using StockGod.Testing.Events;
using StockGod.Testing;
using StockGod.Trading.Events;

namespace StockGod.Api.Tests;

/// <summary>The relay's subscription and the SignalR backplane reconnect by themselves when Redis comes back.</summary>
public sealed class RedisOutageTests(RedisOutageTests.DedicatedRedisApiFactory factory) : IClassFixture<RedisOutageTests.DedicatedRedisApiFactory>
{
    /// <summary>How long Redis stays down in the outage test: the 30 s unless <c>STOCKGOD_REDIS_OUTAGE_SECONDS</c> says otherwise.</summary>
    private static TimeSpan OutageDuration => TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("STOCKGOD_REDIS_OUTAGE_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The whole outage against the Api, MarketData and the Scheduler's event publisher together, all on one Redis that
    /// is stopped for <see cref="OutageDuration"/>: throughout, both services answer (MarketData from memory and its
    /// provider, the Api's REST endpoints that need no Redis) and report Degraded, never Unhealthy; publishing does not
    /// fail; afterwards both report Healthy and a SignalR client connected before the outage receives an event published
    /// after it, with nothing restarted.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task Through_a_redis_outage_the_services_answer_and_report_degraded_and_afterwards_real_time_delivery_resumes()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await factory.CreateUserAsync();
        var portfolioId = (await (await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Outage" }, ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        await using var stream = await StreamClient.ConnectAsync(factory, user);
        await using var scheduler = await SchedulerEvents.ConnectAsync(factory.RedisConnectionString);
        using var marketDataHttp = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var delivered = await PublishUntilReceivedAsync(scheduler, stream, user.Id);
        Assert.Equal("Healthy", await ApiHealthAsync());
        Assert.Equal("Healthy", await MarketDataHealthAsync(marketDataHttp));

        await factory.Redis.StopAsync();
        var outage = Stopwatch.StartNew();
        var rounds = 0;
        do
        {
            rounds++;
            Assert.Equal("Degraded", await ApiHealthAsync());
            Assert.Equal("Degraded", await MarketDataHealthAsync(marketDataHttp));

            // Each round a little later on MarketData's clock, so quotes come from memory or from the provider.
            factory.MarketData.Time.Advance(TimeSpan.FromSeconds(2));
            var quotes = await user.Http.GetAsync("/api/v1/market/quotes?symbols=AAPL,MSFT", ct);
            Assert.Equal(HttpStatusCode.OK, quotes.StatusCode);
            Assert.Equal(2, (await quotes.ReadJsonAsync()).GetProperty("quotes").GetArrayLength());
            Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}", ct)).StatusCode);
            var created = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = $"During outage {rounds}" }, ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            // The Scheduler's side: publishing into the outage loses the event but never fails the job that sent it.
            var alert = new AlertTriggered(Guid.NewGuid(), "AAPL", 1m, 2m, DateTimeOffset.UtcNow);
            await scheduler.Publisher.PublishToUserAsync(user.Id, alert, alert.TriggeredAt, ct);

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        while (outage.Elapsed < OutageDuration);

        await factory.Redis.RestartAsync(ct);
        await Eventually.UntilAsync(async () =>
        {
            factory.MarketData.Time.Advance(TimeSpan.FromSeconds(6)); // past the Redis tier's rest after its failure
            return await ApiHealthAsync() == "Healthy" && await MarketDataHealthAsync(marketDataHttp) == "Healthy";
        }, "the services did not report Healthy after Redis returned", Ct, interval: TimeSpan.FromMilliseconds(500));
        var after = await PublishUntilReceivedAsync(scheduler, stream, user.Id);
        Assert.NotEqual(delivered, after);
    }

    private async Task<string?> ApiHealthAsync()
    {
        // Development answers the detailed report; Degraded is still a 200 (the instance keeps its traffic).
        var response = await factory.CreateClient().GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("status").GetString();
    }

    private async Task<string> MarketDataHealthAsync(HttpClient http) =>
        await http.GetStringAsync(new Uri(factory.MarketData.Address, "/health"), Ct);
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
                // An event published into an outage may still arrive late (the client's backlog): skip any not sent here.
                var received = await stream.NextAsync(poll.Token);
                var id = received.Payload.GetProperty("alert_id").GetGuid();
                if (published.Contains(id))
                {
                    return id;
                }
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
