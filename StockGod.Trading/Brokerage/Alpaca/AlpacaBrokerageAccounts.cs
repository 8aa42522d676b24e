using Microsoft.Extensions.DependencyInjection;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>Which Alpaca accounts (paper, live) have keys in configuration, and their gateways.</summary>
public sealed class AlpacaBrokerageAccounts(IServiceProvider services, IReadOnlyCollection<TradingMode> configuredModes)
{
    public bool IsAvailable(TradingMode mode) => configuredModes.Contains(mode);

    public IBrokerageGateway GetGateway(TradingMode mode) => IsAvailable(mode)
        ? services.GetRequiredKeyedService<IBrokerageGateway>(mode)
        : throw new InvalidOperationException(
            $"Alpaca {mode} trading is not configured: set {AlpacaAccountOptions.SectionName}:{AlpacaAccountOptions.NameOf(mode)}:KeyId and SecretKey.");
}
