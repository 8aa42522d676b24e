extern alias SchedulerService;

using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SchedulerService::StockGod.Scheduler.Jobs.Orders;
using SchedulerService::StockGod.Scheduler.Monitoring;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Execution;

namespace StockGod.Benchmarks.Scheduler;

/// <summary>
/// order_status_check over 10,000 open orders (100 simulated portfolios × 100 resting GTC limit buys at 50 while the
/// market is at 100) known to the simulated exchange: every run lists each portfolio's orders once and finds them all
/// still open, the job's usual minute during the session.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class OrderStatusCheckBenchmarks
{
    private const int Portfolios = 100;
    private const int OrdersPerPortfolio = 100;

    private SchedulerBenchmarkDatabase _database = null!;
    private SimulatedExchangeFactory _exchange = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await SchedulerBenchmarkDatabase.CreateAsync("bench_order_status");
        await _database.SeedPortfoliosAsync(users: Portfolios / 10, portfoliosPerUser: 10);
        await _database.ExecuteAsync(
            $"""
            INSERT INTO sim_accounts (portfolio_id, cash, created_at, updated_at) SELECT id, cash, now(), now() FROM portfolios;
            INSERT INTO sim_orders (id, account_id, client_order_id, symbol, side, type, time_in_force, quantity, limit_price, status,
                                    filled_quantity, reserved_price, stop_triggered, created_at, updated_at)
            SELECT gen_random_uuid(), p.id, 'bench-' || p.n || '-' || g, {SchedulerBenchmarkDatabase.SymbolOf("(p.n * 100 + g)")},
                   'buy', 'limit', 'gtc', 1, 50, 'new', 0, 50, false, now() - interval '1 hour', now() - interval '1 hour'
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM portfolios) p CROSS JOIN generate_series(1, {OrdersPerPortfolio}) g;
            INSERT INTO orders (id, portfolio_id, client_order_id, broker_order_id, symbol, side, type, time_in_force, quantity, limit_price,
                                status, filled_quantity, created_at, updated_at, submitted_at)
            SELECT gen_random_uuid(), account_id, client_order_id, id, symbol, side, type, time_in_force, quantity, limit_price,
                   status, 0, created_at, created_at, created_at
            FROM sim_orders;
            """);
        _exchange = new SimulatedExchangeFactory(
            _database.DataSource, new FlatQuotes(), NyseCalendar.Instance, TimeProvider.System,
            Options.Create(new SimulatedExchangeOptions { AlwaysOpen = true }), NullLogger<SimulatedExchange>.Instance);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark]
    public async Task CheckTenThousandOpenOrders()
    {
        await using var db = _database.CreateDbContext();
        var updates = new OrderUpdateService(db, ZeroCommissionModel.Instance, TimeProvider.System, NullLogger<OrderUpdateService>.Instance);
        var placement = new OrderPlacementService(db, _exchange, updates, TimeProvider.System, NullLogger<OrderPlacementService>.Instance);
        var counters = new JobCounters();
        await new OrderStatusCheckService(db, _exchange, updates, placement, _database.Events, TimeProvider.System, NullLogger<OrderStatusCheckService>.Instance)
            .CheckOrdersAsync(counters, CancellationToken.None);
        if (counters["orders_checked"] != Portfolios * OrdersPerPortfolio || counters["broker_errors"] != 0)
        {
            throw new InvalidOperationException($"Unexpected run: {string.Join(", ", counters.Snapshot())}");
        }
    }
}
