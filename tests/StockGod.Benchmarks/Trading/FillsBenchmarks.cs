using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;

namespace StockGod.Benchmarks.Trading;

/// <summary>
/// Fills applied per second to PostgreSQL with every constraint and index on: each operation is one
/// <see cref="OrderUpdateService.ApplyAsync"/> of a broker snapshot whose cumulative quantity grew, i.e. one
/// transaction that row-locks the portfolio, loads it with its position, books the fill, inserts it (unique execution
/// id) and updates order, position and portfolio. "Writers" run at once on the same portfolio, so they queue on its lock.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class FillsBenchmarks
{
    private const int FillsPerWriter = 100;

    private readonly TimeProvider _time = TimeProvider.System;
    private NpgsqlDataSource _dataSource = null!;
    private Guid _portfolioId;
    private Writer[] _writers = [];

    [Params(1, 4)]
    public int Writers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await TestServers.CreateDatabaseAsync("bench_fills"));
        await using var db = CreateDbContext();
        await TradingDatabaseMigrator.MigrateAsync(db, NullLogger.Instance);
        var now = _time.GetUtcNow();
        var user = new User(Guid.CreateVersion7(), "bench@example.com", "Bench", now);
        var portfolio = new Portfolio(Guid.CreateVersion7(), user.Id, "Bench", TradingMode.Simulated, 1_000_000_000m, now);
        db.Users.Add(user);
        db.Portfolios.Add(portfolio);
        _portfolioId = portfolio.Id;
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// New orders for every iteration: a fill loads its order with the fills it already has, so writing thousands of
    /// fills into the same order made each iteration slower than the last and measured the order's size, not a fill.
    /// </summary>
    [IterationSetup]
    public void CreateOrders()
    {
        var now = _time.GetUtcNow();
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => new Writer(
            Order.Create(Guid.CreateVersion7(), _portfolioId, $"bench-{Guid.CreateVersion7():N}", "AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, 1_000_000_000m, null, 200m, null, now),
            Guid.NewGuid()))];
        using var db = CreateDbContext();
        db.Orders.AddRange(_writers.Select(w => w.Order));
        db.SaveChanges();
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _dataSource.DisposeAsync();

    [Benchmark(OperationsPerInvoke = FillsPerWriter)]
    public Task ApplyFills() => Task.WhenAll(_writers.Select(writer => Task.Run(() => ApplyAsync(writer))));

    private async Task ApplyAsync(Writer writer)
    {
        await using var db = CreateDbContext();
        var updates = new OrderUpdateService(db, ZeroCommissionModel.Instance, _time, NullLogger<OrderUpdateService>.Instance);
        for (var i = 0; i < FillsPerWriter; i++)
        {
            writer.Filled += 1m;
            var o = writer.Order;
            var snapshot = new BrokerOrder(
                writer.BrokerOrderId, o.ClientOrderId, o.Symbol, o.Side, o.Type, o.TimeInForce, o.Quantity, null, o.LimitPrice, null,
                OrderStatus.PartiallyFilled, writer.Filled, 150m, o.CreatedAt, _time.GetUtcNow(), o.CreatedAt, null, null, null, null);
            if ((await updates.ApplyAsync(_portfolioId, snapshot))?.NewFill is null)
            {
                throw new InvalidOperationException("A fill was not booked.");
            }
        }
    }

    private TradingDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<TradingDbContext>();
        options.UseTradingDatabase(_dataSource);
        return new TradingDbContext(options.Options);
    }

    private sealed class Writer(Order order, Guid brokerOrderId)
    {
        public Order Order { get; } = order;

        public Guid BrokerOrderId { get; } = brokerOrderId;

        public decimal Filled { get; set; }
    }
}
