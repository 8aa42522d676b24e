using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Api.Apis;
using StockGod.Api.Portfolios;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Calendar;

namespace StockGod.Api.Tests;

/// <summary>The rules of <see cref="PortfolioReadCache"/> that decide whether an answer may be kept or served, without a server.</summary>
public sealed class PortfolioReadCacheUnitTests
{
    private static readonly Guid Owner = Guid.NewGuid();
    private static readonly Guid PortfolioId = Guid.NewGuid();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero));

    private DateOnly Today => NewYorkTime.DateOf(_time.GetUtcNow());

    [Fact]
    public void A_read_that_began_before_an_invalidation_does_not_store_its_answer()
    {
        var cache = ListeningCache();
        var ticket = cache.BeginRead(Owner);

        cache.Invalidate(PortfolioId); // the commit's notification arrives while the read is in flight

        Assert.False(cache.TryStore(PortfolioId, Owner, Today, Answer(), ticket));
        Assert.False(cache.TryGet(PortfolioId, Owner, Today, out _));
        Assert.True(cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner)));
    }

    [Fact]
    public void An_invalidation_of_any_portfolio_during_the_read_also_refuses_the_store()
    {
        var cache = ListeningCache();
        var ticket = cache.BeginRead(Owner);

        cache.InvalidateAll();

        Assert.False(cache.TryStore(PortfolioId, Owner, Today, Answer(), ticket));
    }

    [Fact]
    public void A_stored_answer_is_served_to_its_owner_only()
    {
        var cache = ListeningCache();
        var answer = Answer();
        cache.TryStore(PortfolioId, Owner, Today, answer, cache.BeginRead(Owner));

        Assert.True(cache.TryGet(PortfolioId, Owner, Today, out var served));
        Assert.Same(answer, served);
        Assert.False(cache.TryGet(PortfolioId, Guid.NewGuid(), Today, out _));
        Assert.True(cache.TryGet(PortfolioId, Owner, Today, out _)); // another user's miss leaves the owner's entry
    }

    [Fact]
    public void The_owners_unsafe_request_makes_answers_stored_before_it_misses_also_one_whose_read_began_before_it()
    {
        var cache = ListeningCache();
        cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner));
        var readBeforeWrite = cache.BeginRead(Owner);

        cache.InvalidateUser(Owner);

        Assert.False(cache.TryGet(PortfolioId, Owner, Today, out _));
        Assert.True(cache.TryStore(PortfolioId, Owner, Today, Answer(), readBeforeWrite));
        Assert.False(cache.TryGet(PortfolioId, Owner, Today, out _));
        cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner));
        Assert.True(cache.TryGet(PortfolioId, Owner, Today, out _));
    }

    [Fact]
    public void Nothing_is_served_or_stored_while_not_listening_and_reconnecting_starts_empty()
    {
        var cache = new PortfolioReadCache(_time, Options.Create(new PortfolioReadCacheOptions()));
        Assert.False(cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner)));

        cache.StartListening();
        cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner));
        var readWhileListening = cache.BeginRead(Owner);
        cache.StopListening();
        Assert.False(cache.TryGet(PortfolioId, Owner, Today, out _));

        var readWhileNotListening = cache.BeginRead(Owner);
        cache.StartListening();
        Assert.False(cache.TryGet(PortfolioId, Owner, Today, out _));
        // Reads begun before LISTEN was back may have missed a change: neither may store.
        Assert.False(cache.TryStore(PortfolioId, Owner, Today, Answer(), readWhileListening));
        Assert.False(cache.TryStore(PortfolioId, Owner, Today, Answer(), readWhileNotListening));
    }

    [Fact]
    public void An_answer_expires_after_max_age_and_on_the_next_new_york_trading_date()
    {
        var cache = ListeningCache();
        cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(cache.TryGet(PortfolioId, Owner, Today, out _));
        Assert.False(cache.TryGet(PortfolioId, Owner, Today.AddDays(1), out _));
        cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cache.TryGet(PortfolioId, Owner, Today, out _));
    }

    [Fact]
    public void When_full_answers_are_not_stored_until_entries_expire()
    {
        var cache = ListeningCache(maxEntries: 2);
        Assert.True(cache.TryStore(Guid.NewGuid(), Owner, Today, Answer(), cache.BeginRead(Owner)));
        Assert.True(cache.TryStore(Guid.NewGuid(), Owner, Today, Answer(), cache.BeginRead(Owner)));

        Assert.False(cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner)));
        Assert.Equal(2, cache.Count);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(cache.TryStore(PortfolioId, Owner, Today, Answer(), cache.BeginRead(Owner)));
        Assert.Equal(1, cache.Count);
    }

    private PortfolioReadCache ListeningCache(int maxEntries = 10_000)
    {
        var cache = new PortfolioReadCache(_time, Options.Create(new PortfolioReadCacheOptions { MaxEntries = maxEntries }));
        cache.StartListening();
        return cache;
    }

    private static PortfolioResponse Answer() => PortfolioResponse.From(new PortfolioRow(
        PortfolioId, "Cached", TradingMode.Simulated, false, false, 100_000m, 100_000m, 0m, 0m, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], null));
}
