using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

public sealed class AccountDeletionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_the_account_removes_the_users_data_and_leaves_other_users_untouched()
    {
        var leaving = await factory.CreateUserAsync();
        var staying = await factory.CreateUserAsync();
        var portfolioId = (await (await leaving.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Gone" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        await Seed.BuyAsync(factory, portfolioId, "AAPL", 3m, 150m);
        await Seed.OrderAsync(factory, portfolioId, "AAPL", DateTimeOffset.UtcNow);
        await leaving.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "k" }, Ct);
        var kept = (await (await staying.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Kept" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();

        var deleted = await leaving.Http.DeleteAsync("/api/v1/accounts/me", Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        Assert.False(await db.Users.AnyAsync(u => u.Id == leaving.Id, Ct));
        Assert.False(await db.Portfolios.AnyAsync(p => p.OwnerUserId == leaving.Id, Ct));
        Assert.False(await db.Positions.AnyAsync(p => p.PortfolioId == portfolioId, Ct));
        Assert.False(await db.Orders.AnyAsync(o => o.PortfolioId == portfolioId, Ct));
        Assert.False(await db.Set<ApiKey>().AnyAsync(k => k.UserId == leaving.Id, Ct));
        Assert.False(await db.Set<UserRole>().AnyAsync(r => r.UserId == leaving.Id, Ct));
        Assert.True(await db.Portfolios.AnyAsync(p => p.Id == kept, Ct));
        Assert.Equal(HttpStatusCode.OK, (await staying.Http.GetAsync($"/api/v1/portfolios/{kept}", Ct)).StatusCode);

        // The old token names a user that no longer exists.
        Assert.Equal(HttpStatusCode.NotFound, (await leaving.Http.GetAsync("/api/v1/accounts/me", Ct)).StatusCode);
    }
}
