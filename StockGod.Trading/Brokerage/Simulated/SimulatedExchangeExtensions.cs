using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Calendar;

namespace Microsoft.Extensions.Hosting;

public static class SimulatedExchangeExtensions
{
    /// <summary>
    /// Registers the simulated exchange (options from <c>SimulatedExchange</c>, the NYSE calendar unless one is
    /// registered). Needs the trading database and an <see cref="StockGod.Trading.Market.IMarketDataSource"/>. It is also the
    /// <see cref="IBrokerageGatewayFactory"/> unless one covering more modes is registered first.
    /// </summary>
    public static IHostApplicationBuilder AddSimulatedExchange(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<SimulatedExchangeOptions>(builder.Configuration.GetSection(SimulatedExchangeOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IMarketCalendar>(NyseCalendar.Instance);
        builder.Services.TryAddSingleton<SimulatedExchangeFactory>();
        builder.Services.TryAddSingleton<IBrokerageGatewayFactory>(sp => sp.GetRequiredService<SimulatedExchangeFactory>());
        return builder;
    }
}
