using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Brokerage.Simulated;

/// <summary>
/// The gateways of the simulated exchange: one account per portfolio. It answers only <see cref="TradingMode.Simulated"/>;
/// a factory covering Alpaca's modes as well delegates that mode here.
/// </summary>
public sealed class SimulatedExchangeFactory(
    NpgsqlDataSource dataSource,
    IMarketDataSource marketData,
    IMarketCalendar calendar,
    TimeProvider timeProvider,
    IOptions<SimulatedExchangeOptions> options,
    ILogger<SimulatedExchange> logger) : IBrokerageGatewayFactory
{
    // Each exchange call uses a short-lived context of its own, apart from the caller's (it runs its own transaction),
    // leased from a pool: a new context would build its EF service scope again on every call of every order.
    private readonly IDbContextFactory<TradingDbContext> _contexts = new PooledDbContextFactory<TradingDbContext>(CreateOptions(dataSource));

    public IBrokerageGateway For(Guid portfolioId, TradingMode mode) => mode == TradingMode.Simulated
        ? new SimulatedExchange(portfolioId, _contexts, marketData, calendar, timeProvider, options.Value, logger)
        : throw new InvalidOperationException($"The simulated exchange does not trade {mode} portfolios.");

    public bool IsAvailable(TradingMode mode) => mode == TradingMode.Simulated;

    public Task<IReadOnlyDictionary<Guid, BrokerHoldings>> ReadHoldingsTogetherAsync(TradingMode mode, IReadOnlyCollection<Guid> portfolioIds, CancellationToken cancellationToken = default) =>
        mode == TradingMode.Simulated
            ? SimulatedExchange.ReadHoldingsWithNoOpenOrderAsync(_contexts, marketData, portfolioIds, cancellationToken)
            : throw new InvalidOperationException($"The simulated exchange does not trade {mode} portfolios.");

    private static DbContextOptions<TradingDbContext> CreateOptions(NpgsqlDataSource dataSource)
    {
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(dataSource);
        return options.Options;
    }
}
