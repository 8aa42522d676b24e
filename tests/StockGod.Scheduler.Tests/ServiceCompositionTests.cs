using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Grpc;
using StockGod.Testing;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Tests;

public sealed class ServiceCompositionTests
{
    [Fact]
    public async Task The_scheduler_service_starts_with_its_real_composition_and_seeds_its_jobs()
    {
        var postgres = await TestServers.CreateDatabaseAsync("composition");
        var redis = await TestServers.RedisAsync();
        await using var factory = new WebApplicationFactory<JobControlService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development"); // validates every registration and scope at build
            web.UseSetting("ConnectionStrings:stockgod", postgres);
            web.UseSetting("ConnectionStrings:redis", redis);
        });

        using var client = factory.CreateClient();
        var response = await client.GetAsync(new Uri("/alive", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var seeded = await scope.ServiceProvider.GetRequiredService<TradingDbContext>().ScheduledJobs
            .Select(j => j.Name).OrderBy(n => n).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(JobCatalog.Default.Select(d => d.Name).Order(StringComparer.Ordinal), seeded);
    }
}
