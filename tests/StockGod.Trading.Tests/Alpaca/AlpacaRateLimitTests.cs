using Microsoft.Extensions.Time.Testing;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>
/// The account's budget of requests per minute and Alpaca's 429s. Fake time drives both the fake server's rate
/// windows and the gateway's waits, so the assertions are about which request arrived in which window, never speed.
/// </summary>
public sealed class AlpacaRateLimitTests : IAsyncLifetime
{
    // Small steps of fake time, so a request still in flight does not drift into the next rate window.
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    // Waits here are in fake time; a long attempt timeout keeps time advancing from timing out requests in flight.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Alpaca:Paper:RequestTimeout"] = "01:00:00",
    };

    private readonly FakeTimeProvider _time = new(AlpacaTestHost.MarketOpenMonday);
    private FakeAlpacaServer _alpaca = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _alpaca = await FakeAlpacaServer.StartAsync(_time, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _alpaca.DisposeAsync();

    [Fact]
    public async Task Rate_limited_request_is_sent_again_only_after_alpacas_reset()
    {
        using var host = AlpacaTestHost.Create(_alpaca, Settings, _time);
        _alpaca.Faults.RateLimitNext("GET", "/v2/account", resetIn: TimeSpan.FromSeconds(7));

        var account = await _time.DriveUntilAsync(host.Paper.GetAccountAsync(Cancel), Step, Cancel);

        Assert.Equal(_alpaca.Brokerage.AccountId.ToString(), account.AccountId);
        var (refused, accepted) = (_alpaca.Requests[0], _alpaca.Requests[1]);
        Assert.Equal((429, 200), (refused.StatusCode, accepted.StatusCode));
        Assert.True(accepted.ReceivedAt >= refused.ReceivedAt + TimeSpan.FromSeconds(7), $"sent again at {accepted.ReceivedAt}, refused at {refused.ReceivedAt}");
    }

    [Fact]
    public async Task An_order_refused_with_429_is_sent_again_after_the_reset_and_placed_once()
    {
        using var host = AlpacaTestHost.Create(_alpaca, Settings, _time);
        _alpaca.Faults.RateLimitNext("POST", "/v2/orders", resetIn: TimeSpan.FromSeconds(3));

        var order = await _time.DriveUntilAsync(host.Paper.SubmitOrderAsync(
            new SubmitOrderRequest("cid-429", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 1m), Cancel), Step, Cancel);

        Assert.Equal(Assert.Single(_alpaca.Brokerage.Orders).Id, order.OrderId);
        Assert.Equal(2, _alpaca.CountRequests("POST", "/v2/orders"));
    }

    [Fact]
    public async Task Still_limited_after_the_allowed_waits_is_rate_limited_with_the_time_to_wait()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>(Settings) { ["Alpaca:Paper:RateLimitRetries"] = "2" }, _time);
        _alpaca.Faults.RateLimitNext("GET", "/v2/positions", resetIn: TimeSpan.FromSeconds(20), times: 5);

        var error = await Assert.ThrowsAsync<BrokerageRateLimitedException>(() =>
            _time.DriveUntilAsync(host.Paper.ListPositionsAsync(Cancel), Step, Cancel));

        Assert.Equal(3, _alpaca.CountRequests("GET", "/v2/positions"));
        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromSeconds(19), TimeSpan.FromSeconds(21));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_reset_further_away_than_the_longest_wait_is_reported_at_once()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>(Settings) { ["Alpaca:Paper:MaxRateLimitWait"] = "00:00:10" }, _time);
        _alpaca.Faults.RateLimitNext("GET", "/v2/clock", resetIn: TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<BrokerageRateLimitedException>(() => host.Paper.GetClockAsync(Cancel));

        Assert.Single(_alpaca.Requests);
    }

    [Fact]
    public async Task After_a_reset_too_far_away_the_next_requests_fail_as_rate_limited_instead_of_waiting_for_it()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>(Settings) { ["Alpaca:Paper:MaxRateLimitWait"] = "00:00:10" }, _time);
        _alpaca.Faults.RateLimitNext("GET", "/v2/clock", resetIn: TimeSpan.FromMinutes(5));
        await Assert.ThrowsAsync<BrokerageRateLimitedException>(() => host.Paper.GetClockAsync(Cancel));

        // Fake time stands still: waiting for the reset would never end (the guard turns that into a failure).
        var order = host.Paper.SubmitOrderAsync(new SubmitOrderRequest("cid-spent", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 1m), Cancel);
        var error = await Assert.ThrowsAsync<BrokerageRateLimitedException>(() => order.WaitAsync(TimeSpan.FromMinutes(1), Cancel));

        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5.1));
        Assert.Single(_alpaca.Requests); // nothing was sent while the budget is spent
        Assert.Empty(_alpaca.Brokerage.Orders);
    }

    [Fact]
    public async Task A_burst_never_exceeds_the_budget_in_any_window()
    {
        _alpaca.RateLimit = 5;
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>(Settings) { ["Alpaca:Paper:RequestsPerWindow"] = "5" }, _time);

        var burst = Task.WhenAll(Enumerable.Range(0, 12).Select(_ => host.Paper.GetClockAsync(Cancel)));
        var clocks = await _time.DriveUntilAsync(burst, Step, Cancel);

        Assert.Equal(12, clocks.Length);
        Assert.All(_alpaca.Requests, r => Assert.Equal(200, r.StatusCode));
        Assert.All(_alpaca.RequestsPerRateWindow().Values, count => Assert.InRange(count, 1, 5));
        Assert.True(_alpaca.RequestsPerRateWindow().Count >= 3);
    }

    [Fact]
    public async Task A_lower_limit_announced_by_alpacas_headers_is_honoured()
    {
        _alpaca.RateLimit = 3; // the gateway is configured for the default 200
        using var host = AlpacaTestHost.Create(_alpaca, Settings, _time);

        for (var i = 0; i < 8; i++)
        {
            await _time.DriveUntilAsync(host.Paper.GetClockAsync(Cancel), Step, Cancel);
        }

        Assert.Equal(8, _alpaca.Requests.Count);
        Assert.All(_alpaca.Requests, r => Assert.Equal(200, r.StatusCode));
        Assert.All(_alpaca.RequestsPerRateWindow().Values, count => Assert.InRange(count, 1, 3));
    }
}
