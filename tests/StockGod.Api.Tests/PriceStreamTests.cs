extern alias api;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Events;
using StockGod.Trading.Market;
using PriceStream = api::StockGod.Api.Realtime.PriceStream;

namespace StockGod.Api.Tests;

/// <summary>Prices from a real MarketData (synthetic market, fake clock) pushed to the users who hold or watch the symbol.</summary>
public sealed class PriceStreamTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task A_user_receives_prices_of_the_symbols_they_hold_or_watch_and_of_no_others()
    {
        var Ct = TestContext.Current.CancellationToken;
        var holder = await factory.CreateUserAsync();
        var watcher = await factory.CreateUserAsync();
        await Seed.BuyAsync(factory, await CreatePortfolioAsync(holder), "AAPL", 10m, 190m);
        await Seed.WatchAsync(factory, watcher.Id, "MSFT");

        await using var watcherStream = await StreamClient.ConnectAsync(factory, watcher);
        var watcherFirst = await watcherStream.NextAsync(Ct);
        Assert.Equal(PriceUpdated.Kind, watcherFirst.Kind);
        Assert.Equal("MSFT", watcherFirst.Payload.GetProperty("symbol").GetString());

        // The holder's connect widens the replica's stream to [AAPL, MSFT]: MarketData sends both quotes, in that order.
        await using var holderStream = await StreamClient.ConnectAsync(factory, holder);
        var holderFirst = await holderStream.NextAsync(Ct);
        Assert.Equal(PriceUpdated.Kind, holderFirst.Kind);
        Assert.Equal("AAPL", holderFirst.Payload.GetProperty("symbol").GetString());
        var quote = (await factory.Services.GetRequiredService<IMarketDataSource>().GetQuotesAsync(["AAPL"], Ct))["AAPL"];
        Assert.Equal(quote.LastPrice, holderFirst.Payload.GetProperty("last_price").GetDecimal());
        Assert.Equal(quote.BidPrice, holderFirst.Payload.GetProperty("bid_price").GetDecimal());
        Assert.Equal(quote.AskPrice, holderFirst.Payload.GetProperty("ask_price").GetDecimal());

        // The watcher's next price came after AAPL's on the same stream, and is MSFT: AAPL's never reached them.
        var watcherSecond = await watcherStream.NextAsync(Ct);
        Assert.Equal("MSFT", watcherSecond.Payload.GetProperty("symbol").GetString());

        // Prices move when the market's clock does; MSFT's quote was fanned out between the holder's two AAPL prices.
        var holderSecond = await NextWhileTheMarketMovesAsync(holderStream);
        Assert.Equal("AAPL", holderSecond.Payload.GetProperty("symbol").GetString());
        Assert.True(holderSecond.Payload.GetProperty("timestamp").GetDateTimeOffset() > holderFirst.Payload.GetProperty("timestamp").GetDateTimeOffset());
    }

    [Fact(Timeout = 180_000)]
    public async Task The_replica_streams_the_union_of_its_connected_users_symbols_and_follows_connects_and_disconnects()
    {
        var Ct = TestContext.Current.CancellationToken;
        var prices = factory.Services.GetRequiredService<PriceStream>();
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        await Seed.BuyAsync(factory, await CreatePortfolioAsync(alice), "NVDA", 3m, 120m);
        await Seed.WatchAsync(factory, alice.Id, "KO", "NVDA");
        await Seed.WatchAsync(factory, bob.Id, "BRK.B", "KO");

        var aliceFirst = await StreamClient.ConnectAsync(factory, alice);
        await using var aliceSecond = await StreamClient.ConnectAsync(factory, alice);
        var bobStream = await StreamClient.ConnectAsync(factory, bob);
        await Eventually.UntilAsync(() => prices.SubscribedSymbols.SequenceEqual(["BRK.B", "KO", "NVDA"]), "the replica's price subscriptions never caught up", Ct);

        await bobStream.DisposeAsync();
        await Eventually.UntilAsync(() => prices.SubscribedSymbols.SequenceEqual(["KO", "NVDA"]), "the replica's price subscriptions never caught up", Ct);

        // Alice keeps a connection: her symbols stay, and that connection still receives them.
        await aliceFirst.DisposeAsync();
        var next = await NextWhileTheMarketMovesAsync(aliceSecond);
        Assert.Contains(next.Payload.GetProperty("symbol").GetString(), new[] { "KO", "NVDA" });

        await aliceSecond.DisposeAsync();
        await Eventually.UntilAsync(() => prices.SubscribedSymbols.Count == 0, "the replica's price subscriptions never caught up", Ct);
    }

    private async Task<Guid> CreatePortfolioAsync(UserClient user)
    {
        var response = await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = $"p-{Guid.NewGuid():N}" }, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>The next event, moving MarketData's fake clock until one comes (prices change as the market's time passes).</summary>
    private async Task<StreamEvent> NextWhileTheMarketMovesAsync(StreamClient stream)
    {
        var next = stream.NextAsync(Ct);
        while (!next.IsCompleted)
        {
            factory.MarketData.Time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(next, Task.Delay(50, Ct));
        }

        return await next;
    }
}
