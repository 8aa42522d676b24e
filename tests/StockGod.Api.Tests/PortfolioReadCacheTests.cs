using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StockGod.Api.Portfolios;
using StockGod.Api.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Calendar;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

/// <summary>
/// The portfolio GET's read cache against real PostgreSQL: changes by any writer reach the next GET once their
/// notification arrived, the user's own writes at once, nothing is served while the listener is not listening.
/// <see cref="PortfolioChangeListener.Hold"/> stops notifications from being applied, so "cached" and "not yet
/// notified" are states a test can hold still and observe instead of racing them.
/// </summary>
public sealed class PortfolioReadCacheTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortfolioChangeListener Listener => factory.Services.GetRequiredService<PortfolioChangeListener>();

    private PortfolioReadCache Cache => factory.Services.GetRequiredService<PortfolioReadCache>();

    [Fact]
    public async Task A_position_price_updated_in_sql_is_in_the_next_get_once_its_notification_arrived()
    {
        var (user, id) = await CachedPortfolioWithPositionAsync();

        await AssertCachedUntilNotifiedAsync(user, id,
            "UPDATE positions SET last_price = 150, market_value = 1500, unrealized_profit_loss = 500 WHERE portfolio_id = @id",
            body => body.GetProperty("positions")[0].GetProperty("last_price").GetString(), before: "100", after: "150");
    }

    [Fact]
    public async Task Cash_set_in_sql_is_in_the_next_get_once_its_notification_arrived()
    {
        var (user, id) = await CachedPortfolioWithPositionAsync();

        await AssertCachedUntilNotifiedAsync(user, id,
            "UPDATE portfolios SET cash = cash + 1000 WHERE id = @id",
            body => body.GetProperty("cash").GetString(), before: "99000", after: "100000");
    }

    [Fact]
    public async Task A_new_snapshot_gives_the_day_pl_once_its_notification_arrived()
    {
        var (user, id) = await CachedPortfolioWithPositionAsync();
        var yesterday = NewYorkTime.DateOf(DateTimeOffset.UtcNow).AddDays(-1);

        await AssertCachedUntilNotifiedAsync(user, id,
            $"""
            INSERT INTO portfolio_snapshots (id, portfolio_id, trading_date, cash, positions_value, total_value, realized_profit_loss, position_count, taken_at)
            VALUES ('{Guid.CreateVersion7()}', @id, '{yesterday:yyyy-MM-dd}', 99000, 900, 99900, 0, 1, now())
            """,
            body => body.GetProperty("day_pl").ValueKind == JsonValueKind.Null ? "none" : body.GetProperty("day_pl").GetString(), before: "none", after: "100");
    }

    [Fact]
    public async Task The_users_own_rename_and_order_are_in_their_next_get_before_any_notification_arrives()
    {
        var (user, id) = await CachedPortfolioWithPositionAsync();

        using (Listener.Hold())
        {
            var renamed = await user.Http.PutAsJsonAsync($"/api/v1/portfolios/{id}/name", new { name = "Renamed" }, Ct);
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            Assert.Equal("Renamed", (await GetAsync(user, id)).GetProperty("name").GetString());

            var order = await user.Http.PostAsJsonAsync($"/api/v1/portfolios/{id}/orders", new { symbol = "MSFT", side = "buy", type = "market", qty = "1" }, Ct);
            Assert.Equal("filled", (await order.ReadJsonAsync()).GetProperty("status").GetString());
            Assert.Equal(["AAPL", "MSFT"], (await GetAsync(user, id)).GetProperty("positions").EnumerateArray().Select(p => p.GetProperty("symbol").GetString()).ToArray());
        }
    }

    [Fact]
    public async Task Another_users_get_of_a_cached_portfolio_is_a_404()
    {
        var (_, id) = await CachedPortfolioWithPositionAsync();
        var other = await factory.CreateUserAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/api/v1/portfolios/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_deleted_cached_portfolio_is_a_404_at_once()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Short-lived");
        await GetAsync(user, id);
        await GetAsync(user, id);
        await NotificationsDeliveredAsync();

        using (Listener.Hold())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/api/v1/portfolios/{id}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/api/v1/portfolios/{id}", Ct)).StatusCode);
        }
    }

    [Fact]
    public async Task While_the_listener_is_disconnected_gets_read_postgres_and_caching_resumes_once_it_is_back()
    {
        var (user, id) = await CachedPortfolioWithPositionAsync();
        var connections = Listener.Connections;

        using (Listener.Hold())
        {
            // The hold also keeps the listener from reconnecting: the replica stays in its "not listening" state.
            var terminated = await ScalarAsync<long>(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%') t", id);
            Assert.Equal(1L, terminated);
            await Eventually.UntilAsync(() => !Cache.IsListening, "the listener never noticed its backend was terminated", Ct);
            Assert.Equal(0, Cache.Count);

            await ExecuteAsync("UPDATE portfolios SET cash = 5000 WHERE id = @id", id);
            Assert.Equal("5000", (await GetAsync(user, id)).GetProperty("cash").GetString());
            await ExecuteAsync("UPDATE portfolios SET cash = 6000 WHERE id = @id", id);
            Assert.Equal("6000", (await GetAsync(user, id)).GetProperty("cash").GetString());
            Assert.Equal(0, Cache.Count);
        }

        await Eventually.UntilAsync(() => Listener.Connections > connections && Cache.IsListening, "the listener never reconnected", Ct);
        await GetAsync(user, id);
        await AssertCachedUntilNotifiedAsync(user, id,
            "UPDATE portfolios SET cash = 7000 WHERE id = @id", body => body.GetProperty("cash").GetString(), before: "6000", after: "7000");
    }

    [Fact]
    public async Task A_truncate_empties_the_cache()
    {
        await CachedPortfolioWithPositionAsync();
        Assert.NotEqual(0, Cache.Count);

        var applied = AppliedAsync(PortfolioChangeNotifications.Everything);
        await ExecuteAsync("TRUNCATE portfolio_snapshots", Guid.Empty);
        await applied;

        Assert.Equal(0, Cache.Count);
    }

    /// <summary>
    /// The GET is served from the cache (held notifications: <paramref name="change"/> is committed but the answer does
    /// not show it), then shows it once the portfolio's notification has been applied.
    /// </summary>
    private async Task AssertCachedUntilNotifiedAsync(UserClient user, Guid id, string change, Func<JsonElement, string?> observe, string before, string after)
    {
        Assert.Equal(before, observe(await GetAsync(user, id)));
        var applied = AppliedAsync(id.ToString());
        using (Listener.Hold())
        {
            await ExecuteAsync(change, id);
            Assert.Equal(before, observe(await GetAsync(user, id)));
        }

        await applied;
        Assert.Equal(after, observe(await GetAsync(user, id)));
    }

    /// <summary>A portfolio holding 10 AAPL bought and priced at 100 (cash 99,000), its GET answer cached and every notification about it applied.</summary>
    private async Task<(UserClient User, Guid Id)> CachedPortfolioWithPositionAsync()
    {
        await Eventually.UntilAsync(() => Cache.IsListening, "the listener is not listening", Ct);
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user, "Cached");
        await Seed.BuyAsync(factory, id, "AAPL", 10m, 100m);
        await ExecuteAsync("UPDATE positions SET last_price = 100, market_value = 1000, unrealized_profit_loss = 0 WHERE portfolio_id = @id", id);
        await NotificationsDeliveredAsync();
        await GetAsync(user, id);
        return (user, id);
    }

    /// <summary>
    /// Every notification committed so far has been applied: PostgreSQL delivers notifications in commit order, so once
    /// a marker notified now has been applied, so has everything before it.
    /// </summary>
    private async Task NotificationsDeliveredAsync()
    {
        var marker = Guid.NewGuid();
        var applied = AppliedAsync(marker.ToString());
        await ExecuteAsync($"SELECT pg_notify('{PortfolioChangeNotifications.Channel}', @id::text)", marker);
        await applied;
    }

    private Task AppliedAsync(string payload)
    {
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnApplied(string p)
        {
            if (p == payload)
            {
                applied.TrySetResult();
            }
        }

        Listener.NotificationApplied += OnApplied;
        return WaitAsync();

        async Task WaitAsync()
        {
            try
            {
                await applied.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            }
            finally
            {
                Listener.NotificationApplied -= OnApplied;
            }
        }
    }

    private static async Task<JsonElement> GetAsync(UserClient user, Guid id)
    {
        var response = await user.Http.GetAsync($"/api/v1/portfolios/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static async Task<Guid> CreatePortfolioAsync(UserClient user, string name)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    private async Task ExecuteAsync(string sql, Guid id) => await ScalarAsync<object>(sql, id);

    private async Task<T> ScalarAsync<T>(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(factory.DatabaseConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        if (sql.Contains("@id", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("id", id);
        }

        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
