using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>Alpaca's refusals become the typed exceptions the trading code handles.</summary>
public sealed class AlpacaErrorMappingTests : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private FakeAlpacaServer _alpaca = null!;
    private AlpacaTestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?> { ["Alpaca:Paper:ReadRetries"] = "0" });
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _alpaca.DisposeAsync();
    }

    [Fact]
    public async Task Buying_beyond_buying_power_is_insufficient_buying_power()
    {
        _alpaca.Brokerage.Cash = 1_000m;

        var error = await Assert.ThrowsAsync<InsufficientBuyingPowerException>(() => _host.Paper.SubmitOrderAsync(
            new SubmitOrderRequest("cid-bp", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Day, 10m, LimitPrice: 101m), Cancel));

        Assert.Contains("40310000", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Empty(_alpaca.Brokerage.Orders);
    }

    [Fact]
    public async Task Selling_more_than_held_is_insufficient_shares()
    {
        _alpaca.Brokerage.SetPosition("AAPL", 3m, 150m);

        await Assert.ThrowsAsync<InsufficientSharesException>(() => _host.Paper.SubmitOrderAsync(
            new SubmitOrderRequest("cid-qty", "AAPL", OrderSide.Sell, OrderType.Market, TimeInForce.Day, 5m), Cancel));
    }

    [Fact]
    public async Task Sub_penny_limit_price_is_an_invalid_order_and_is_not_looked_up_or_resent()
    {
        var error = await Assert.ThrowsAsync<InvalidOrderException>(() => _host.Paper.SubmitOrderAsync(
            new SubmitOrderRequest("cid-subpenny", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Day, 1m, LimitPrice: 290.123m), Cancel));

        Assert.Contains("sub-penny", error.Message, StringComparison.Ordinal);
        Assert.Single(_alpaca.Requests);
    }

    [Fact]
    public async Task Wrong_keys_are_unauthorized()
    {
        var configuration = _alpaca.ConfigurationFor("Paper");
        configuration["Alpaca:Paper:SecretKey"] = "not-the-secret";
        using var host = AlpacaTestHost.Create(configuration);

        var error = await Assert.ThrowsAsync<BrokerageUnauthorizedException>(() => host.Paper.GetAccountAsync(Cancel));

        Assert.Contains("request is not authorized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_and_an_unreachable_alpaca_are_unavailable_and_transient()
    {
        _alpaca.Faults.FailNext("GET", "/v2/positions", statusCode: 503);
        var serverError = await Assert.ThrowsAsync<BrokerageUnavailableException>(() => _host.Paper.ListPositionsAsync(Cancel));

        var closedPort = _alpaca.ConfigurationFor("Paper");
        closedPort["Alpaca:Paper:BaseUrl"] = "http://127.0.0.1:9/";
        using var unreachable = AlpacaTestHost.Create(closedPort, new Dictionary<string, string?> { ["Alpaca:Paper:ReadRetries"] = "0" });
        var connectionError = await Assert.ThrowsAsync<BrokerageUnavailableException>(() => unreachable.Paper.GetClockAsync(Cancel));

        Assert.True(serverError.IsTransient);
        Assert.IsType<HttpRequestException>(connectionError.InnerException);
    }

    [Fact]
    public async Task A_read_that_times_out_is_unavailable()
    {
        using var host = AlpacaTestHost.Create(_alpaca, new Dictionary<string, string?>
        {
            ["Alpaca:Paper:ReadRetries"] = "0",
            ["Alpaca:Paper:RequestTimeout"] = "00:00:00.300",
        });
        _alpaca.Faults.HangNext("GET", "/v2/clock");

        await Assert.ThrowsAsync<BrokerageUnavailableException>(() => host.Paper.GetClockAsync(Cancel));
    }
}
