using Microsoft.EntityFrameworkCore;
using Npgsql;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Snapshots;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Tests.Persistence;

/// <summary>The rules hold in the database itself: each test breaks one and expects PostgreSQL to refuse.</summary>
public sealed class SchemaConstraintTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Order NewOrder(Guid portfolioId, string clientOrderId = "c-1", decimal quantity = 10m) =>
        Order.Create(Guid.CreateVersion7(), portfolioId, clientOrderId, "AAPL", OrderSide.Buy, OrderType.Market, TimeInForce.Day, quantity, null, null, null, Seed.At);

    [Fact]
    public async Task Aggregate_round_trips_with_exact_decimals_and_readable_enum_names()
    {
        Guid portfolioId;
        await using (var db = database.CreateDbContext())
        {
            var portfolio = await Seed.PortfolioAsync(db);
            portfolioId = portfolio.Id;
            portfolio.ApplyFill(Guid.CreateVersion7(), "AAPL", OrderSide.Buy, 1m, 10m, 0m, Seed.At);
            portfolio.ApplyFill(Guid.CreateVersion7(), "AAPL", OrderSide.Buy, 2.123456789m, 10.01m, 0m, Seed.At);
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = database.CreateDbContext())
        {
            var loaded = await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == portfolioId, Ct);
            var position = Assert.Single(loaded.Positions);
            Assert.Equal(3.123456789m, position.Quantity);
            Assert.Equal(31.25580246m, position.CostBasis);
            Assert.Equal(10.00679842m, position.AverageEntryPrice);
            Assert.Equal(100_000m - 31.25580246m, loaded.Cash);
            Assert.Equal("simulated", await ScalarAsync<string>($"SELECT trading_mode FROM portfolios WHERE id = '{portfolioId}'"));
        }
    }

    [Fact]
    public async Task Client_order_id_is_unique_per_portfolio_but_not_across_portfolios()
    {
        await using var db = database.CreateDbContext();
        var first = await Seed.PortfolioAsync(db);
        var second = await Seed.PortfolioAsync(db);
        db.Orders.AddRange(NewOrder(first.Id, "dup"), NewOrder(second.Id, "dup"));
        await db.SaveChangesAsync(Ct);

        db.Orders.Add(NewOrder(first.Id, "dup"));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));

        Assert.True(error.IsUniqueViolation("ix_orders_portfolio_id_client_order_id"), error.InnerException?.Message);
    }

    [Fact]
    public async Task A_fill_execution_id_is_booked_once()
    {
        await using var db = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(db);
        var first = NewOrder(portfolio.Id, "a");
        var second = NewOrder(portfolio.Id, "b");
        first.RecordFill(Guid.CreateVersion7(), "exec-1", 1m, 10m, 0m, 0m, Seed.At);
        second.RecordFill(Guid.CreateVersion7(), "exec-1", 1m, 10m, 0m, 0m, Seed.At);
        db.Orders.AddRange(first, second);

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));

        Assert.True(error.IsUniqueViolation("ix_fills_execution_id"), error.InnerException?.Message);
    }

    [Fact]
    public async Task One_snapshot_per_portfolio_and_trading_date()
    {
        await using var db = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(db);
        var date = new DateOnly(2024, 3, 4);
        db.PortfolioSnapshots.Add(PortfolioSnapshot.Of(Guid.CreateVersion7(), portfolio, date, Seed.At));
        db.PortfolioSnapshots.Add(PortfolioSnapshot.Of(Guid.CreateVersion7(), portfolio, date.AddDays(1), Seed.At));
        await db.SaveChangesAsync(Ct);

        db.PortfolioSnapshots.Add(PortfolioSnapshot.Of(Guid.CreateVersion7(), portfolio, date, Seed.At));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));

        Assert.True(error.IsUniqueViolation("ix_portfolio_snapshots_portfolio_id_trading_date"), error.InnerException?.Message);
    }

    [Theory]
    [InlineData("UPDATE orders SET quantity = 0, filled_quantity = 0 WHERE portfolio_id = '{0}'", "ck_orders_quantity_positive")]
    [InlineData("UPDATE orders SET notional = -1 WHERE portfolio_id = '{0}'", "ck_orders_notional_positive")]
    [InlineData("UPDATE orders SET quantity = NULL WHERE portfolio_id = '{0}'", "ck_orders_quantity_or_notional")]
    [InlineData("UPDATE orders SET filled_quantity = quantity + 1 WHERE portfolio_id = '{0}'", "ck_orders_filled_quantity_in_range")]
    [InlineData("UPDATE orders SET status = 'bogus' WHERE portfolio_id = '{0}'", "ck_orders_status")]
    [InlineData("UPDATE orders SET type = 'limit' WHERE portfolio_id = '{0}'", "ck_orders_limit_price_required")]
    [InlineData("UPDATE fills SET quantity = 0 WHERE portfolio_id = '{0}'", "ck_fills_quantity_positive")]
    [InlineData("UPDATE fills SET price = 0 WHERE portfolio_id = '{0}'", "ck_fills_price_positive")]
    [InlineData("UPDATE positions SET quantity = 0 WHERE portfolio_id = '{0}'", "ck_positions_quantity_not_zero")]
    [InlineData("UPDATE portfolios SET trading_mode = 'margin' WHERE id = '{0}'", "ck_portfolios_trading_mode")]
    [InlineData("UPDATE portfolios SET live_trading_enabled = true WHERE id = '{0}'", "ck_portfolios_live_only_when_live")]
    public async Task Check_constraints_refuse_impossible_values(string update, string constraint)
    {
        var portfolioId = await SeedOrderWithFillAndPositionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, update, portfolioId)));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal(constraint, error.ConstraintName);
    }

    [Fact]
    public async Task Positions_are_unique_per_portfolio_and_symbol()
    {
        var portfolioId = await SeedOrderWithFillAndPositionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            $"INSERT INTO positions (id, portfolio_id, symbol, quantity, average_entry_price, cost_basis, realized_profit_loss, opened_at, updated_at) " +
            $"SELECT gen_random_uuid(), portfolio_id, symbol, 1, 1, 1, 0, now(), now() FROM positions WHERE portfolio_id = '{portfolioId}'"));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("ix_positions_portfolio_id_symbol", error.ConstraintName);
    }

    [Fact]
    public async Task Foreign_keys_refuse_orphans_cascade_from_portfolio_and_protect_owners()
    {
        var portfolioId = await SeedOrderWithFillAndPositionAsync();

        var orphan = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            $"UPDATE orders SET portfolio_id = '{Guid.NewGuid()}' WHERE portfolio_id = '{portfolioId}'"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);

        var owner = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            $"DELETE FROM users WHERE id = (SELECT owner_user_id FROM portfolios WHERE id = '{portfolioId}')"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, owner.SqlState);

        await ExecuteAsync($"DELETE FROM portfolios WHERE id = '{portfolioId}'");
        foreach (var table in new[] { "orders", "fills", "positions" })
        {
            Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE portfolio_id = '{portfolioId}'"));
        }
    }

    [Fact]
    public async Task Hot_path_indexes_exist_including_the_partial_index_on_open_orders()
    {
        var definition = await ScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_orders_open_by_portfolio_symbol'");
        Assert.Contains("WHERE", definition, StringComparison.Ordinal);
        Assert.Contains("'partially_filled'", definition, StringComparison.Ordinal);
        Assert.DoesNotContain("'filled'", definition.Replace("'partially_filled'", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        var byTime = await ScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_orders_portfolio_id_created_at'");
        Assert.Contains("(portfolio_id, created_at DESC)", byTime, StringComparison.Ordinal);
    }

    private async Task<Guid> SeedOrderWithFillAndPositionAsync()
    {
        await using var db = database.CreateDbContext();
        var portfolio = await Seed.PortfolioAsync(db);
        var order = NewOrder(portfolio.Id);
        var booked = portfolio.ApplyFill(Guid.CreateVersion7(), order.Symbol, order.Side, 10m, 100m, 0m, Seed.At);
        order.RecordFill(Guid.CreateVersion7(), $"exec-{Guid.NewGuid()}", 10m, 100m, 0m, booked.RealizedProfitLoss, Seed.At);
        db.Orders.Add(order);
        await db.SaveChangesAsync(Ct);
        return portfolio.Id;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
