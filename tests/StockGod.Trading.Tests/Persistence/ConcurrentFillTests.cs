using Microsoft.EntityFrameworkCore;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Tests.Persistence;

public sealed class ConcurrentFillTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Parallel_writers_holding_the_row_lock_never_lose_a_fill()
    {
        Guid portfolioId;
        await using (var db = database.CreateDbContext())
        {
            portfolioId = (await Seed.PortfolioAsync(db, cash: 1_000_000m)).Id;
        }

        const int writers = 8;
        const int fillsPerWriter = 15;
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            start.Wait(Ct);
            for (var i = 0; i < fillsPerWriter; i++)
            {
                await using var db = database.CreateDbContext();
                await using var transaction = await db.Database.BeginTransactionAsync(Ct);
                var portfolio = await db.LockPortfolioAsync(portfolioId, Ct);
                var price = 100m + writer + (i * 0.01m);
                portfolio!.ApplyFill(Guid.CreateVersion7(), "AAPL", OrderSide.Buy, 1.5m, price, 0m, Seed.At);
                await db.SaveChangesAsync(Ct);
                await transaction.CommitAsync(Ct);
            }
        }, Ct)).ToList();
        start.Set();
        await Task.WhenAll(tasks);

        var expectedCost = Enumerable.Range(0, writers)
            .SelectMany(w => Enumerable.Range(0, fillsPerWriter).Select(i => 1.5m * (100m + w + (i * 0.01m))))
            .Sum();
        await using var check = database.CreateDbContext();
        var result = await check.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
        var position = Assert.Single(result.Positions);
        Assert.Equal(writers * fillsPerWriter * 1.5m, position.Quantity);
        Assert.Equal(expectedCost, position.CostBasis);
        Assert.Equal(1_000_000m - expectedCost, result.Cash);
    }

    [Fact]
    public async Task Without_the_lock_a_stale_writer_is_stopped_by_the_xmin_concurrency_token()
    {
        Guid portfolioId;
        await using (var db = database.CreateDbContext())
        {
            portfolioId = (await Seed.PortfolioAsync(db)).Id;
        }

        await using var first = database.CreateDbContext();
        await using var second = database.CreateDbContext();
        var a = await first.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
        var b = await second.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
        a.ApplyFill(Guid.CreateVersion7(), "MSFT", OrderSide.Buy, 1m, 10m, 0m, Seed.At);
        b.ApplyFill(Guid.CreateVersion7(), "XOM", OrderSide.Buy, 1m, 20m, 0m, Seed.At);
        await first.SaveChangesAsync(Ct);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync(Ct));
    }

    [Fact]
    public async Task Locking_needs_a_transaction_and_answers_null_for_an_unknown_portfolio()
    {
        await using var db = database.CreateDbContext();

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.LockPortfolioAsync(Guid.NewGuid(), Ct));
        await using var transaction = await db.Database.BeginTransactionAsync(Ct);
        Assert.Null(await db.LockPortfolioAsync(Guid.NewGuid(), Ct));
    }
}
