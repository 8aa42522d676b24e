using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>
/// <c>POST /v2/orders</c> is never sent blindly twice: after a timeout or 5xx the gateway looks the order up by
/// client_order_id and sends again only when Alpaca has no such order.
/// </summary>
public sealed class AlpacaOrderSubmissionTests : IAsyncLifetime
{
    private const string OrderPath = "/v2/orders";
    private const string LookupPath = "/v2/orders:by_client_order_id";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly SubmitOrderRequest Buy =
        new("rebal-2026-01-05-AAPL-1", "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, 10m);

    private FakeAlpacaServer _alpaca = null!;

    public async ValueTask InitializeAsync() => _alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _alpaca.DisposeAsync();

    [Fact]
    public async Task Timeout_after_alpaca_accepted_the_order_returns_that_order_without_sending_again()
    {
        // The timeout must outlast the fake's processing of the POST, even on a busy machine.
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?> { ["Alpaca:Paper:RequestTimeout"] = "00:00:02" });
        _alpaca.Faults.ProcessThenHangNext("POST", OrderPath);

        var order = await host.Paper.SubmitOrderAsync(Buy, Cancel);

        var placed = Assert.Single(_alpaca.Brokerage.Orders);
        Assert.Equal(placed.Id, order.OrderId);
        Assert.Equal(1, _alpaca.CountRequests("POST", OrderPath));
        Assert.Equal(1, _alpaca.CountRequests("GET", LookupPath));
    }

    [Fact]
    public async Task Server_error_before_the_order_landed_is_looked_up_then_sent_exactly_once_more()
    {
        using var host = AlpacaTestHost.Create(_alpaca);
        _alpaca.Faults.FailNext("POST", OrderPath, statusCode: 500);

        var order = await host.Paper.SubmitOrderAsync(Buy, Cancel);

        Assert.Equal(Assert.Single(_alpaca.Brokerage.Orders).Id, order.OrderId);
        Assert.Equal(2, _alpaca.CountRequests("POST", OrderPath));
        Assert.Equal(1, _alpaca.CountRequests("GET", LookupPath));
        Assert.Equal([OrderPath, LookupPath, OrderPath], _alpaca.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Duplicate_client_order_id_means_it_landed_and_the_existing_order_is_returned()
    {
        using var host = AlpacaTestHost.Create(_alpaca);
        var earlier = _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 10m, clientOrderId: Buy.ClientOrderId);

        var order = await host.Paper.SubmitOrderAsync(Buy, Cancel);

        Assert.Equal(earlier.Id, order.OrderId);
        Assert.Single(_alpaca.Brokerage.Orders);
        Assert.Equal(1, _alpaca.CountRequests("POST", OrderPath));
        Assert.Equal(1, _alpaca.CountRequests("GET", LookupPath));
    }

    [Fact]
    public async Task A_client_order_id_already_used_for_a_different_order_is_refused_not_taken_for_this_one()
    {
        using var host = AlpacaTestHost.Create(_alpaca);
        _alpaca.Brokerage.PlaceOrder("MSFT", "buy", 1m, clientOrderId: Buy.ClientOrderId);

        await Assert.ThrowsAsync<InvalidOrderException>(() => host.Paper.SubmitOrderAsync(Buy, Cancel));
    }

    [Fact]
    public async Task Lookup_that_does_not_see_a_landed_order_yet_ends_in_the_duplicate_answer_not_a_second_order()
    {
        using var host = AlpacaTestHost.Create(_alpaca);
        _alpaca.Faults.ProcessThenDisconnectNext("POST", OrderPath);
        _alpaca.Faults.FailNext("GET", LookupPath, statusCode: 404); // the landed order is not visible yet

        var order = await host.Paper.SubmitOrderAsync(Buy, Cancel);

        Assert.Equal(Assert.Single(_alpaca.Brokerage.Orders).Id, order.OrderId);
        Assert.Equal([OrderPath, LookupPath, OrderPath, LookupPath], _alpaca.Requests.Select(r => r.Path));
        Assert.Equal([404, 422, 200], _alpaca.Requests.Skip(1).Select(r => r.StatusCode));
    }

    [Fact]
    public async Task Order_that_never_lands_is_sent_at_most_the_configured_number_of_times()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?> { ["Alpaca:Paper:OrderSendAttempts"] = "3" });
        _alpaca.Faults.FailNext("POST", OrderPath, times: 10, statusCode: 503);

        await Assert.ThrowsAsync<BrokerageUnavailableException>(() => host.Paper.SubmitOrderAsync(Buy, Cancel));

        Assert.Equal(3, _alpaca.CountRequests("POST", OrderPath));
        Assert.Equal(3, _alpaca.CountRequests("GET", LookupPath));
        Assert.Empty(_alpaca.Brokerage.Orders);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Service_defaults_standard_resilience_does_not_retry_the_order_post(bool serviceDefaultsRegisteredLast)
    {
        // With the service-wide handler in place a 500 would be retried at once (no lookup between the POSTs).
        using var host = AlpacaTestHost.Create(_alpaca, withServiceDefaults: true, serviceDefaultsLast: serviceDefaultsRegisteredLast);
        _alpaca.Faults.FailNext("POST", OrderPath, times: 2, statusCode: 500);

        var order = await host.Paper.SubmitOrderAsync(Buy, Cancel);

        Assert.Equal(Assert.Single(_alpaca.Brokerage.Orders).Id, order.OrderId);
        Assert.Equal([OrderPath, LookupPath, OrderPath, LookupPath, OrderPath], _alpaca.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Reads_are_retried_on_server_errors()
    {
        using var host = AlpacaTestHost.Create(_alpaca, withServiceDefaults: true);
        _alpaca.Faults.FailNext("GET", "/v2/account", times: 2, statusCode: 502);

        var account = await host.Paper.GetAccountAsync(Cancel);

        Assert.Equal(_alpaca.Brokerage.AccountId.ToString(), account.AccountId);
        Assert.Equal(3, _alpaca.CountRequests("GET", "/v2/account"));
    }
}
