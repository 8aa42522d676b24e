using Microsoft.Extensions.Time.Testing;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>
/// Retries wait, and waits grow: the pauses are measured in fake time (which drives the gateway's waits and stamps the
/// fake server's arrivals), so the assertions are about when each attempt arrived, never about speed.
/// </summary>
public sealed class AlpacaBackoffTests : IAsyncLifetime
{
    private const string OrderPath = "/v2/orders";
    private const string LookupPath = "/v2/orders:by_client_order_id";

    // Small steps of fake time against long configured waits, so step granularity cannot decide an assertion.
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider _time = new(AlpacaTestHost.MarketOpenMonday);
    private FakeAlpacaServer _alpaca = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _alpaca = await FakeAlpacaServer.StartAsync(_time, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _alpaca.DisposeAsync();

    [Fact]
    public async Task An_order_that_did_not_land_is_sent_again_only_after_a_pause_that_doubles()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>
        {
            ["Alpaca:Paper:RequestTimeout"] = "01:00:00",
            ["Alpaca:Paper:OrderResendDelay"] = "00:00:05",
            ["Alpaca:Paper:OrderSendAttempts"] = "3",
        }, _time);
        _alpaca.Faults.FailNext("POST", OrderPath, times: 2, statusCode: 503);

        var order = await _time.DriveUntilAsync(host.Paper.SubmitOrderAsync(
            new SubmitOrderRequest("cid-backoff", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 1m), Cancel), Step, Cancel);

        Assert.Equal(Assert.Single(_alpaca.Brokerage.Orders).Id, order.OrderId);
        var posts = _alpaca.Requests.Where(r => r.Path == OrderPath).ToList();
        Assert.Equal([503, 503, 200], posts.Select(r => r.StatusCode));
        var lookups = _alpaca.Requests.Where(r => r.Path == LookupPath).ToList();
        Assert.Equal(2, lookups.Count);
        // Each re-send waits after the lookup that proved the order absent: 5 s, then 10 s.
        Assert.True(posts[1].ReceivedAt - lookups[0].ReceivedAt >= TimeSpan.FromSeconds(5), $"second send {posts[1].ReceivedAt:O}, lookup {lookups[0].ReceivedAt:O}");
        Assert.True(posts[2].ReceivedAt - lookups[1].ReceivedAt >= TimeSpan.FromSeconds(10), $"third send {posts[2].ReceivedAt:O}, lookup {lookups[1].ReceivedAt:O}");
    }

    [Fact]
    public async Task Reads_retried_on_server_errors_back_off_exponentially_with_jitter()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>
        {
            ["Alpaca:Paper:RequestTimeout"] = "01:00:00",
            ["Alpaca:Paper:ReadRetries"] = "3",
            ["Alpaca:Paper:ReadRetryDelay"] = "00:00:10",
        }, _time);
        _alpaca.Faults.FailNext("GET", "/v2/account", times: 3, statusCode: 502);

        var account = await _time.DriveUntilAsync(host.Paper.GetAccountAsync(Cancel), Step, Cancel);

        Assert.Equal(_alpaca.Brokerage.AccountId.ToString(), account.AccountId);
        var attempts = _alpaca.Requests.Where(r => r.Path == "/v2/account").ToList();
        Assert.Equal([502, 502, 502, 200], attempts.Select(r => r.StatusCode));
        // Polly's exponential backoff with decorrelated jitter: any single pause may be short, but the three add up to
        // between 2.84 and 5.71 times the base delay (its formula telescopes). Without backoff they would add up to ~0.
        var waited = attempts[^1].ReceivedAt - attempts[0].ReceivedAt;
        Assert.InRange(waited, TimeSpan.FromSeconds(28), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_500_then_a_429_then_a_timeout_after_alpaca_accepted_still_places_exactly_one_order()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>
        {
            ["Alpaca:Paper:RequestTimeout"] = "00:00:30",
            ["Alpaca:Paper:OrderResendDelay"] = "00:00:01",
        }, _time);
        _alpaca.Faults.FailNext("POST", OrderPath, statusCode: 500);
        _alpaca.Faults.FailNext("GET", LookupPath, statusCode: 500); // the lookup itself fails once and is retried
        _alpaca.Faults.RateLimitNext("POST", OrderPath, resetIn: TimeSpan.FromSeconds(3));
        _alpaca.Faults.ProcessThenHangNext("POST", OrderPath);
        var request = new SubmitOrderRequest("cid-chaos", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 2m);

        var order = await _time.DriveUntilAsync(host.Paper.SubmitOrderAsync(request, Cancel), Step, Cancel);

        var placed = Assert.Single(_alpaca.Brokerage.Orders);
        Assert.Equal((placed.Id, "cid-chaos"), (order.OrderId, placed.ClientOrderId));
        // 500 (not processed) → lookup 500, retried → 404 → pause → 429, waited out → accepted but never answered →
        // lookup finds it. Three POSTs reached Alpaca; only the last was processed, and no fourth was sent.
        Assert.Equal(
            [(OrderPath, 500), (LookupPath, 500), (LookupPath, 404), (OrderPath, 429), (OrderPath, 0), (LookupPath, 200)],
            _alpaca.Requests.Select(r => (r.Path, r.StatusCode ?? -1)));
        Assert.Equal(FakeAlpacaRequestOutcome.TimedOut, _alpaca.Requests[4].Outcome);
        var (limited, resent) = (_alpaca.Requests[3], _alpaca.Requests[4]);
        Assert.True(resent.ReceivedAt - limited.ReceivedAt >= TimeSpan.FromSeconds(2), "the 429 was not waited out until its reset");
    }
}
