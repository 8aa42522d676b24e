using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Extensions;
using StockGod.Scheduler.Jobs.Strategies;
using StockGod.Scheduler.Monitoring;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Events;
using StockGod.Trading.Execution;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Tests.Support;

/// <summary>
/// One "Scheduler process" for strategy_execution: the Scheduler's registrations (trading database, every broker
/// behind the gateway factory, order execution, the Redis event publisher, the job's services) over the test
/// database, with the clock and the market-data seam under the test's control. Disposing it is the process ending;
/// a new one over the same database is a restart.
/// </summary>
internal sealed class StrategyExecutionHost : IDisposable
{
    /// <summary>Monday 2024-03-04 10:00 New York: the NYSE is open.</summary>
    public static readonly DateTimeOffset Monday10Am = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);

    private readonly IHost _host;

    public StrategyExecutionHost(
        TradingDatabaseFixture database,
        FakeTimeProvider time,
        MarketBoard market,
        ITradingEventPublisher events,
        IReadOnlyDictionary<string, string?>? configuration = null,
        Func<IBrokerageGatewayFactory, IBrokerageGatewayFactory>? wrapGateways = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.Configuration["ConnectionStrings:stockgod"] = database.ConnectionString;
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IMarketCalendar>(NyseCalendar.Instance);
        builder.Services.AddSingleton<IMarketDataSource>(market.Job);
        builder.Services.AddSingleton(events);
        builder.AddTradingDatabase();
        builder.Services.AddSingleton(sp => new SimulatedExchangeFactory(
            sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), market.Exchange, NyseCalendar.Instance, time,
            sp.GetRequiredService<IOptions<SimulatedExchangeOptions>>(), NullLogger<SimulatedExchange>.Instance));
        builder.AddBrokerage();
        if (wrapGateways is not null)
        {
            builder.Services.AddSingleton(sp => wrapGateways(ActivatorUtilities.CreateInstance<BrokerageGatewayFactory>(sp)));
        }

        builder.Services.AddOrderExecution();
        builder.Services.AddStrategyExecution();
        _host = builder.Build();
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public IServiceProvider Services => _host.Services;

    /// <summary>One firing of the job, in a scope of its own as Quartz gives it.</summary>
    public async Task<JobCounters> RunAsync(DateTimeOffset fireTime)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var counters = new JobCounters();
        await scope.ServiceProvider.GetRequiredService<StrategyExecutionService>().ExecuteAsync(fireTime, counters, Ct);
        return counters;
    }

    /// <summary>Buys through the portfolio's broker (as a user's order would), so broker and books both hold the shares.</summary>
    public async Task BuyAsync(Guid portfolioId, string symbol, decimal quantity)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var placed = await scope.ServiceProvider.GetRequiredService<OrderPlacementService>().PlaceAsync(
            new PlaceOrder(portfolioId, symbol, OrderSide.Buy, OrderType.Market, TimeInForce.Day, quantity), Ct);
        Assert.Equal(OrderStatus.Filled, placed.Order.Status);
    }

    public void Dispose() => _host.Dispose();
}

/// <summary>Users, portfolios and strategies written straight to the database.</summary>
internal static class StrategySeed
{
    /// <summary>Generous limits: 50 % of equity per position, orders up to 1 M, no cash buffer.</summary>
    public static readonly RiskLimits WideLimits = new(0.5m, 1_000_000m, 0m, 10);

    public static async Task<(Guid PortfolioId, Guid UserId)> PortfolioAsync(
        TradingDatabaseFixture database, DateTimeOffset at, TradingMode mode = TradingMode.Simulated, params (string Symbol, decimal Quantity, decimal Price)[] holdings)
    {
        await using var db = database.CreateDbContext();
        var user = new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Trader", at);
        var portfolio = new Portfolio(Guid.CreateVersion7(), user.Id, "Main", mode, 100_000m, at);
        foreach (var (symbol, quantity, price) in holdings)
        {
            portfolio.ApplyFill(Guid.CreateVersion7(), symbol, Trading.Brokerage.OrderSide.Buy, quantity, price, 0m, at.AddDays(-30));
        }

        db.Users.Add(user);
        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync(StrategyExecutionHost.Ct);
        return (portfolio.Id, user.Id);
    }

    /// <summary>An enabled SMA(2)/SMA(3) crossover: four completed bars decide.</summary>
    public static async Task<Guid> SmaCrossoverAsync(TradingDatabaseFixture database, Guid portfolioId, DateTimeOffset at, RiskLimits? limits = null, params string[] symbols)
    {
        await using var db = database.CreateDbContext();
        var strategy = new StrategyDefinition(
            Guid.CreateVersion7(), portfolioId, $"Crossover {Guid.NewGuid():N}"[..30], SmaCrossoverStrategy.Name,
            JsonDocument.Parse("""{"fastPeriod":2,"slowPeriod":3}"""), symbols, limits ?? WideLimits, at);
        strategy.SetEnabled(true, at);
        db.Strategies.Add(strategy);
        await db.SaveChangesAsync(StrategyExecutionHost.Ct);
        return strategy.Id;
    }

    /// <summary>Closes whose last bar has SMA(2) cross above SMA(3): a BUY.</summary>
    public static readonly decimal[] CrossesUp = [10m, 10m, 10m, 9m, 12m];

    /// <summary>Closes whose last bar has SMA(2) cross below SMA(3): a SELL for a holder.</summary>
    public static readonly decimal[] CrossesDown = [10m, 10m, 10m, 11m, 8m];

    /// <summary>Flat closes: no crossover, HOLD.</summary>
    public static readonly decimal[] Flat = [10m, 10m, 10m, 10m, 10m];

    public static async Task<int> BrokerOrderCountAsync(TradingDatabaseFixture database, string clientOrderId)
    {
        await using var db = database.CreateDbContext();
        return await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM sim_orders WHERE client_order_id = {clientOrderId}").SingleAsync(StrategyExecutionHost.Ct);
    }
}
