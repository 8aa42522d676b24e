using StockGod.Trading.Brokerage.Alpaca;

namespace StockGod.Api.Portfolios;

/// <summary>
/// Whether a trading mode can be used: the brokerage factory decides when one is registered; otherwise the simulated
/// exchange always can and Alpaca modes need their keys in configuration (<c>Alpaca:Paper</c>, <c>Alpaca:Live</c>).
/// </summary>
public sealed class TradingModeAvailability(IConfiguration configuration, IServiceProvider services)
{
    public bool IsAvailable(TradingMode mode)
    {
        if (services.GetService<IBrokerageGatewayFactory>() is { } factory)
        {
            return factory.IsAvailable(mode);
        }

        return mode == TradingMode.Simulated
            || (configuration.GetSection($"{AlpacaAccountOptions.SectionName}:{AlpacaAccountOptions.NameOf(mode)}").Get<AlpacaAccountOptions>()?.IsConfigured ?? false);
    }
}
