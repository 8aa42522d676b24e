extern alias api;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.Screening;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Api.Tests;

/// <summary>The Api over a universe of four real symbols; the runs it starts are worked here by the same chunk worker the Scheduler runs.</summary>
public sealed class ScreeningsApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Screening:Symbols:0"] = "AAPL", ["Screening:Symbols:1"] = "MSFT", ["Screening:Symbols:2"] = "XOM", ["Screening:Symbols:3"] = "KO",
        ["Screening:FundamentalsPath"] = SharedData.RequirePath(ScreeningData.FinancialsFile),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var market = new HistoricalMarketData(SharedData.DailyBars.BarsBySymbol);
        builder.ConfigureTestServices(services => services.AddSingleton<IMarketDataSource>(market));
    }
}

public sealed class ScreeningsApiTests(ScreeningsApiFactory factory) : IClassFixture<ScreeningsApiFactory>
{
    [Fact]
    public async Task Screens_are_404_until_an_operator_run_completes_then_served_as_json_and_csv_latest_and_by_date()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await factory.CreateUserAsync();
        var operatorUser = await factory.CreateUserAsync(ApiFactory.OperatorEmail);

        await (await user.Http.GetAsync("/api/v1/screenings/latest", ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        await (await user.Http.PostAsJsonAsync("/api/v1/screenings", new { as_of = "2018-02-07" }, ct)).AssertProblemAsync(HttpStatusCode.Forbidden, "https://stockgod.dev/problems/forbidden");
        await (await operatorUser.Http.PostAsJsonAsync("/api/v1/screenings", new { top_n = 0, chunk_size = 5000 }, ct)).AssertValidationProblemAsync("top_n", "chunk_size");

        var accepted = await operatorUser.Http.PostAsJsonAsync("/api/v1/screenings", new { as_of = "2018-02-07", top_n = 3, chunk_size = 2 }, ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!.ToString();
        var runId = (await accepted.ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/screenings/runs/{runId}", location);

        var running = await (await user.Http.GetAsync(location, ct)).ReadJsonAsync();
        Assert.Equal(("running", 2, 0), (running.GetProperty("status").GetString(), running.GetProperty("chunk_count").GetInt32(), running.GetProperty("chunks_completed").GetInt32()));
        await (await user.Http.GetAsync("/api/v1/screenings/latest", ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");

        // The Scheduler's worker step, in process.
        var processor = factory.Services.GetRequiredService<ScreeningChunkProcessor>();
        while (await processor.ProcessNextAsync("api-test", ct) is not null)
        {
        }

        var done = await (await user.Http.GetAsync(location, ct)).ReadJsonAsync();
        Assert.Equal(("completed", 2), (done.GetProperty("status").GetString(), done.GetProperty("chunks_completed").GetInt32()));
        Assert.Equal("/api/v1/screenings/2018-02-07", done.GetProperty("report_location").GetString());

        var latest = await user.Http.GetAsync("/api/v1/screenings/latest", ct);
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        var report = await latest.ReadJsonAsync();
        Assert.Equal(runId, report.GetProperty("run_id").GetGuid());
        Assert.Equal("2018-02-07", report.GetProperty("as_of").GetString());
        Assert.Equal((4, 4), (report.GetProperty("universe_size").GetInt32(), report.GetProperty("ranked").GetInt32()));
        var top = report.GetProperty("top").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], top.Select(t => t.GetProperty("rank").GetInt32()));
        foreach (var pick in top)
        {
            // Money-style decimals travel as strings; the score is the sum of the factors' contributions.
            var contributions = pick.GetProperty("factors").EnumerateArray().Select(f => decimal.Parse(f.GetProperty("contribution").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).Sum();
            Assert.Equal(decimal.Parse(pick.GetProperty("score").GetString()!, System.Globalization.CultureInfo.InvariantCulture), contributions);
            Assert.Contains(pick.GetProperty("factors").EnumerateArray(), f => f.GetProperty("factor").GetString() == "momentum12Months");
        }

        Assert.Equal(3, report.GetProperty("sectors").EnumerateArray().Sum(s => s.GetProperty("in_top").GetInt32()));
        Assert.Equal("1", report.GetProperty("settings").GetProperty("weights").GetProperty("momentum12Months").GetString()!.TrimEnd('0').TrimEnd('.'));

        var byDate = await (await user.Http.GetAsync("/api/v1/screenings/2018-02-07", ct)).ReadJsonAsync();
        Assert.Equal(runId, byDate.GetProperty("run_id").GetGuid());
        await (await user.Http.GetAsync("/api/v1/screenings/2018-02-06", ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        await (await user.Http.GetAsync("/api/v1/screenings/runs/" + Guid.NewGuid(), ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");

        var csv = await user.Http.GetAsync("/api/v1/screenings/2018-02-07?format=csv", ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("rank,symbol,sector,score,momentum3Months,", lines[0], StringComparison.Ordinal);
        Assert.Equal(top.Select(t => $"{t.GetProperty("rank").GetInt32()},{t.GetProperty("symbol").GetString()},"), lines.Skip(1).Select(l => string.Join(',', l.Split(',').Take(2)) + ","));

        using var acceptCsv = new HttpRequestMessage(HttpMethod.Get, "/api/v1/screenings/latest");
        acceptCsv.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var negotiated = await user.Http.SendAsync(acceptCsv, ct);
        Assert.Equal("text/csv", negotiated.Content.Headers.ContentType?.MediaType);
        Assert.Equal(lines, (await negotiated.Content.ReadAsStringAsync(ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

        // Every user was told, once.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var told = await db.Notifications.Where(n => n.Kind == ScreeningWorkQueue.ReadyNotificationKind).Select(n => n.UserId).ToListAsync(ct);
        Assert.Contains(user.Id, told);
        Assert.Contains(operatorUser.Id, told);
        Assert.Equal(told.Count, told.Distinct().Count());
    }
}
