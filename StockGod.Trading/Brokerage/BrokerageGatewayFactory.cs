using StockGod.Trading.Brokerage.Alpaca;
using StockGod.Trading.Brokerage.Simulated;

namespace StockGod.Trading.Brokerage;

/// <summary>
/// Routes a portfolio to its broker by trading mode: the simulated exchange (one account per portfolio) or the
/// Alpaca paper/live account configured for the platform.
/// </summary>
public sealed class BrokerageGatewayFactory(SimulatedExchangeFactory simulated, AlpacaBrokerageAccounts alpaca) : IBrokerageGatewayFactory
{
    public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => mode switch
    {
        TradingMode.Simulated => simulated.For(portfolioId, mode),
        TradingMode.Paper or TradingMode.Live => alpaca.GetGateway(mode),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown trading mode."),
    };

    public bool IsAvailable(TradingMode mode) => mode == TradingMode.Simulated || alpaca.IsAvailable(mode);

    public Task<IReadOnlyDictionary<Guid, BrokerHoldings>> ReadHoldingsTogetherAsync(TradingMode mode, IReadOnlyCollection<Guid> portfolioIds, CancellationToken cancellationToken = default) =>
        mode == TradingMode.Simulated
            ? simulated.ReadHoldingsTogetherAsync(mode, portfolioIds, cancellationToken)
            : Task.FromResult<IReadOnlyDictionary<Guid, BrokerHoldings>>(new Dictionary<Guid, BrokerHoldings>());
}
