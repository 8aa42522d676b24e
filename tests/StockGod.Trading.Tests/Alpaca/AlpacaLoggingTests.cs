using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

public sealed class AlpacaLoggingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keys_never_appear_in_logs_even_at_trace_level_and_on_failures()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var host = AlpacaTestHost.Create(alpaca, new Dictionary<string, string?> { ["Alpaca:Paper:RequestTimeout"] = "00:00:02" }, withServiceDefaults: true);
        alpaca.Faults.FailNext("GET", "/v2/account", statusCode: 500);
        alpaca.Faults.ProcessThenHangNext("POST", "/v2/orders");

        await host.Paper.GetAccountAsync(Cancel);
        await host.Paper.SubmitOrderAsync(new SubmitOrderRequest("cid-log", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 1m), Cancel);
        await Assert.ThrowsAsync<OrderNotCancelableException>(async () =>
        {
            var order = alpaca.Brokerage.PlaceOrder("MSFT", "buy", 1m);
            alpaca.Brokerage.Fill(order.Id, 10m);
            await host.Paper.CancelOrderAsync(order.Id, Cancel);
        });

        var records = host.Logs.GetSnapshot();
        var logged = string.Join('\n', records.Select(r =>
            $"{r.Message} {string.Join(' ', r.StructuredState?.Select(s => $"{s.Key}={s.Value}") ?? [])} {string.Join(' ', r.Scopes)} {r.Exception}"));
        // Requests, failures and the gateway's own warnings were logged, so a leak would have been seen.
        Assert.Contains(records, r => r.Message.Contains("POST /v2/orders answered", StringComparison.Ordinal) || r.Message.Contains("POST /v2/orders failed", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("/v2/account answered 500", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("cid-log", StringComparison.Ordinal) && r.Exception is not null);
        Assert.DoesNotContain(alpaca.SecretKey, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(alpaca.KeyId, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_never_appear_in_logs_or_errors_when_alpaca_is_down_rate_limits_or_hangs()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var host = AlpacaTestHost.Create(alpaca, new Dictionary<string, string?> { ["Alpaca:Paper:RequestTimeout"] = "00:00:01" }, withServiceDefaults: true);
        var errors = new List<Exception>();
        async Task FailsAsync(Func<Task> call) => errors.Add(await Assert.ThrowsAnyAsync<BrokerageException>(call));

        // An outage: every POST and every lookup answers 500 until the gateway gives up on the order.
        alpaca.Faults.FailEverything(500);
        await FailsAsync(() => host.Paper.SubmitOrderAsync(new SubmitOrderRequest("cid-down", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 1m), Cancel));
        await FailsAsync(() => host.Paper.ListPositionsAsync(Cancel));
        alpaca.Faults.Clear();
        // A read that hangs past every retry, then rate limited beyond the longest wait (last: the whole account's
        // budget is then blocked until Alpaca's reset, an hour away).
        alpaca.Faults.HangNext("GET", "/v2/clock", times: 10);
        await FailsAsync(() => host.Paper.GetClockAsync(Cancel));
        alpaca.Faults.RateLimitNext("GET", "/v2/account", resetIn: TimeSpan.FromHours(1));
        await FailsAsync(() => host.Paper.GetAccountAsync(Cancel));

        var records = host.Logs.GetSnapshot();
        var logged = string.Join('\n', records.Select(r =>
            $"{r.Message} {string.Join(' ', r.StructuredState?.Select(s => $"{s.Key}={s.Value}") ?? [])} {string.Join(' ', r.Scopes)} {r.Exception}"));
        var thrown = string.Join('\n', errors.Select(e => e.ToString()));
        Assert.Contains(records, r => r.Message.Contains("cid-down", StringComparison.Ordinal) && r.Exception is not null);
        Assert.Contains(records, r => r.Message.Contains("/v2/clock failed", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("/v2/account answered 429", StringComparison.Ordinal));
        foreach (var key in (string[])[alpaca.SecretKey, alpaca.KeyId])
        {
            Assert.DoesNotContain(key, logged, StringComparison.Ordinal);
            Assert.DoesNotContain(key, thrown, StringComparison.Ordinal);
        }
    }
}
