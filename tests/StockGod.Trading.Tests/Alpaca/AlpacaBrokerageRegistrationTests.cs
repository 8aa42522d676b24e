using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Alpaca;

namespace StockGod.Trading.Tests.Alpaca;

public sealed class AlpacaBrokerageRegistrationTests
{
    [Fact]
    public void Without_keys_no_alpaca_mode_is_available_and_asking_names_the_missing_settings()
    {
        using var host = AlpacaTestHost.Create(new Dictionary<string, string?> { ["Alpaca:Live:KeyId"] = "only-the-id" });
        var accounts = host.Services.GetRequiredService<AlpacaBrokerageAccounts>();

        Assert.False(accounts.IsAvailable(TradingMode.Paper));
        Assert.False(accounts.IsAvailable(TradingMode.Live));
        Assert.Null(host.Services.GetKeyedService<IBrokerageGateway>(TradingMode.Live));
        var error = Assert.Throws<InvalidOperationException>(() => accounts.GetGateway(TradingMode.Live));
        Assert.Contains("Alpaca:Live:KeyId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_configured_mode_gets_its_own_gateway_on_alpacas_host_unless_overridden()
    {
        using var host = AlpacaTestHost.Create(new Dictionary<string, string?>
        {
            ["Alpaca:Paper:KeyId"] = "PK1",
            ["Alpaca:Paper:SecretKey"] = "s1",
            ["Alpaca:Live:KeyId"] = "AK1",
            ["Alpaca:Live:SecretKey"] = "s2",
            ["Alpaca:Live:BaseUrl"] = "http://127.0.0.1:1234/alpaca",
        });
        var accounts = host.Services.GetRequiredService<AlpacaBrokerageAccounts>();
        var clients = host.Services.GetRequiredService<IHttpClientFactory>();

        Assert.True(accounts.IsAvailable(TradingMode.Paper));
        Assert.True(accounts.IsAvailable(TradingMode.Live));
        Assert.Equal(TradingMode.Live, Assert.IsType<AlpacaBrokerageGateway>(accounts.GetGateway(TradingMode.Live)).Mode);
        Assert.Equal(new Uri("https://paper-api.alpaca.markets/"), clients.CreateClient(AlpacaBrokerageExtensions.HttpClientName(TradingMode.Paper)).BaseAddress);
        Assert.Equal(new Uri("http://127.0.0.1:1234/alpaca/"), clients.CreateClient(AlpacaBrokerageExtensions.HttpClientName(TradingMode.Live)).BaseAddress);
        Assert.NotSame(
            host.Services.GetRequiredKeyedService<AlpacaRateBudget>(TradingMode.Paper),
            host.Services.GetRequiredKeyedService<AlpacaRateBudget>(TradingMode.Live));
    }
}
