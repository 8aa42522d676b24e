using System.Net;
using System.Net.Http.Json;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

public sealed class NotificationsAndPerformanceTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Notifications_page_newest_first_without_gaps_and_filter_unread()
    {
        var user = await factory.CreateUserAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Seed.NotificationAsync(factory, user.Id, $"N{i}", Start.AddMinutes(i), read: i == 3));
        }

        var pages = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await user.Http.GetAsync("/api/v1/notifications?limit=2" + (cursor is null ? string.Empty : $"&cursor={cursor}"), Ct)).ReadJsonAsync();
            pages.AddRange(page.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        var unread = await (await user.Http.GetAsync("/api/v1/notifications?unread=true", Ct)).ReadJsonAsync();

        Assert.Equal(Enumerable.Reverse(ids), pages);
        Assert.Equal([ids[4], ids[2], ids[1], ids[0]], unread.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Marking_one_read_keeps_its_first_read_time_and_mark_all_counts_only_unread_ones()
    {
        var user = await factory.CreateUserAsync();
        var other = await factory.CreateUserAsync();
        var first = await Seed.NotificationAsync(factory, user.Id, "A", Start);
        await Seed.NotificationAsync(factory, user.Id, "B", Start.AddMinutes(1));
        await Seed.NotificationAsync(factory, user.Id, "C", Start.AddMinutes(2), read: true);
        await Seed.NotificationAsync(factory, other.Id, "Theirs", Start);

        var read = await (await user.Http.PostAsync($"/api/v1/notifications/{first}/read", null, Ct)).ReadJsonAsync();
        var readAgain = await (await user.Http.PostAsync($"/api/v1/notifications/{first}/read", null, Ct)).ReadJsonAsync();
        var all = await (await user.Http.PostAsync("/api/v1/notifications/read-all", null, Ct)).ReadJsonAsync();
        var allAgain = await (await user.Http.PostAsync("/api/v1/notifications/read-all", null, Ct)).ReadJsonAsync();

        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, read.GetProperty("read_at").ValueKind);
        Assert.Equal(read.GetProperty("read_at").GetDateTimeOffset(), readAgain.GetProperty("read_at").GetDateTimeOffset());
        Assert.Equal(1, all.GetProperty("marked").GetInt32());
        Assert.Equal(0, allAgain.GetProperty("marked").GetInt32());
        Assert.Equal(0, (await (await user.Http.GetAsync("/api/v1/notifications?unread=true", Ct)).ReadJsonAsync()).GetProperty("notifications").GetArrayLength());
        Assert.Equal(1, (await (await other.Http.GetAsync("/api/v1/notifications?unread=true", Ct)).ReadJsonAsync()).GetProperty("notifications").GetArrayLength());
    }

    [Fact]
    public async Task Notification_paging_parameters_are_validated()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.GetAsync("/api/v1/notifications?limit=0&cursor=nope", Ct);

        await response.AssertValidationProblemAsync("limit", "cursor");
    }

    [Fact]
    public async Task Performance_reports_daily_returns_total_return_and_max_drawdown_of_the_snapshots()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user);
        // 100000 → 110000 (+10 %) → 99000 (−10 %, the deepest fall from the 110000 peak) → 104500 → 112000 (back above the peak).
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 2), 100_000m, 0m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 3), 50_000m, 60_000m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 4), 50_000m, 49_000m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 5), 50_000m, 54_500m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 6), 50_000m, 62_000m);

        var body = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/performance", Ct)).ReadJsonAsync();

        Assert.Equal("2026-03-02", body.GetProperty("from").GetString());
        Assert.Equal("2026-03-06", body.GetProperty("to").GetString());
        Assert.Equal("100000", body.GetProperty("starting_value").GetString());
        Assert.Equal("112000", body.GetProperty("ending_value").GetString());
        Assert.Equal("0.12", body.GetProperty("total_return").GetString());
        var points = body.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"], points.Select(p => p.GetProperty("date").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, points[0].GetProperty("daily_return").ValueKind);
        // 110000/100000 − 1; 99000/110000 − 1; 104500/99000 − 1 = 0.05555…; 112000/104500 − 1 = 0.0717703349…
        Assert.Equal(["0.1", "-0.1", "0.0555555556", "0.0717703349"], points.Skip(1).Select(p => p.GetProperty("daily_return").GetString()));
        Assert.Equal("99000", points[2].GetProperty("total_value").GetString());
        var drawdown = body.GetProperty("max_drawdown");
        Assert.Equal("-0.1", drawdown.GetProperty("depth").GetString());
        Assert.Equal("2026-03-03", drawdown.GetProperty("peak_date").GetString());
        Assert.Equal("2026-03-04", drawdown.GetProperty("trough_date").GetString());
        Assert.Equal("2026-03-06", drawdown.GetProperty("recovery_date").GetString());
    }

    [Fact]
    public async Task Performance_over_a_window_uses_the_window_only_and_an_empty_window_has_no_figures()
    {
        var user = await factory.CreateUserAsync();
        var id = await CreatePortfolioAsync(user);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 2), 100_000m, 0m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 3), 80_000m, 0m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 4), 90_000m, 0m);
        await Seed.SnapshotAsync(factory, id, new DateOnly(2026, 3, 5), 72_000m, 0m);

        var window = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/performance?from=2026-03-03&to=2026-03-05", Ct)).ReadJsonAsync();
        var empty = await (await user.Http.GetAsync($"/api/v1/portfolios/{id}/performance?from=2026-04-01&to=2026-04-30", Ct)).ReadJsonAsync();
        var reversed = await user.Http.GetAsync($"/api/v1/portfolios/{id}/performance?from=2026-03-05&to=2026-03-01", Ct);
        var malformed = await user.Http.GetAsync($"/api/v1/portfolios/{id}/performance?from=yesterday", Ct);

        // 80000 → 90000 → 72000: total 72000/80000 − 1 = −0.1; deepest fall 72000/90000 − 1 = −0.2, not yet recovered.
        Assert.Equal("-0.1", window.GetProperty("total_return").GetString());
        Assert.Equal(3, window.GetProperty("points").GetArrayLength());
        var drawdown = window.GetProperty("max_drawdown");
        Assert.Equal("-0.2", drawdown.GetProperty("depth").GetString());
        Assert.Equal("2026-03-04", drawdown.GetProperty("peak_date").GetString());
        Assert.Equal("2026-03-05", drawdown.GetProperty("trough_date").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, drawdown.GetProperty("recovery_date").ValueKind);
        Assert.Equal(0, empty.GetProperty("points").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, empty.GetProperty("total_return").ValueKind);
        await reversed.AssertValidationProblemAsync("from");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    private static async Task<Guid> CreatePortfolioAsync(UserClient user)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = $"P-{Guid.NewGuid():N}" }, Ct);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }
}
