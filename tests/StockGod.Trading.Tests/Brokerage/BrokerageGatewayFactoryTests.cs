using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StockGod.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Alpaca;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Tests.Simulated;

namespace StockGod.Trading.Tests.Brokerage;

public sealed class BrokerageGatewayFactoryTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    [Fact]
    public async Task Each_trading_mode_reaches_its_own_broker_and_unconfigured_alpaca_modes_are_unavailable()
    {
        await using var alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        alpaca.Brokerage.Cash = 12_345.67m;
        using var host = BuildHost(alpaca.ConfigurationFor("Paper"));
        var factory = host.Services.GetRequiredService<IBrokerageGatewayFactory>();
        var portfolioId = Guid.CreateVersion7();

        Assert.True(factory.IsAvailable(TradingMode.Simulated));
        Assert.True(factory.IsAvailable(TradingMode.Paper));
        Assert.False(factory.IsAvailable(TradingMode.Live));

        Assert.IsType<SimulatedExchange>(factory.For(portfolioId, TradingMode.Simulated));
        var paper = Assert.IsType<AlpacaBrokerageGateway>(factory.For(portfolioId, TradingMode.Paper));
        Assert.Equal(TradingMode.Paper, paper.Mode);
        Assert.Equal(12_345.67m, (await paper.GetAccountAsync(TestContext.Current.CancellationToken)).Cash);

        var error = Assert.Throws<InvalidOperationException>(() => factory.For(portfolioId, TradingMode.Live));
        Assert.Contains("Alpaca:Live:KeyId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_alpaca_keys_only_the_simulated_exchange_is_available()
    {
        using var host = BuildHost(new Dictionary<string, string?>());
        var factory = host.Services.GetRequiredService<IBrokerageGatewayFactory>();

        Assert.True(factory.IsAvailable(TradingMode.Simulated));
        Assert.False(factory.IsAvailable(TradingMode.Paper));
        Assert.False(factory.IsAvailable(TradingMode.Live));
    }

    private IHost BuildHost(IReadOnlyDictionary<string, string?> alpacaConfiguration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(alpacaConfiguration);
        builder.Configuration["ConnectionStrings:stockgod"] = database.ConnectionString;
        builder.Services.AddSingleton<IMarketDataSource>(new ControlledMarketData());
        builder.AddTradingDatabase();
        builder.AddBrokerage();
        return builder.Build();
    }
}
