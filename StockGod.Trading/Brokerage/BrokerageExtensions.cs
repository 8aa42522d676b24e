using Microsoft.Extensions.DependencyInjection;
using StockGod.Trading.Brokerage;

namespace Microsoft.Extensions.Hosting;

public static class BrokerageExtensions
{
    /// <summary>
    /// Registers every broker — the simulated exchange, and Alpaca paper/live where keys are configured — behind one
    /// <see cref="IBrokerageGatewayFactory"/>. Needs the trading database and an IMarketDataSource.
    /// </summary>
    public static IHostApplicationBuilder AddBrokerage(this IHostApplicationBuilder builder)
    {
        // Registered before AddSimulatedExchange, whose own factory registration only applies when none exists.
        builder.Services.AddSingleton<IBrokerageGatewayFactory, BrokerageGatewayFactory>();
        builder.AddSimulatedExchange();
        builder.AddAlpacaBrokerage();
        return builder;
    }
}
