using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Simulated;
using StockGod.Trading.Calendar;
using StockGod.Trading.Market;

namespace StockGod.Trading.Tests.Simulated;

/// <summary>Quotes the test sets by hand (our own IMarketDataSource seam); symbols never set are unknown.</summary>
internal sealed class ControlledMarketData : IMarketDataSource
{
    private readonly ConcurrentDictionary<string, Quote> _quotes = new(StringComparer.Ordinal);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public void Set(string symbol, decimal bid, decimal ask, decimal? last = null) =>
        _quotes[symbol] = new Quote(symbol, bid, 100, ask, 100, last ?? ((bid + ask) / 2m), Clock.GetUtcNow(), "test");

    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, Quote>>(symbols.Where(_quotes.ContainsKey).ToDictionary(s => s, s => _quotes[s], StringComparer.Ordinal));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The simulated exchange trades on quotes only.");
}

/// <summary>A simulated exchange over a real database, with a controlled clock and quotes.</summary>
internal sealed class SimulatedExchangeHarness
{
    /// <summary>Monday 2024-03-04 10:00 in New York: the NYSE is open.</summary>
    public static readonly DateTimeOffset MondayMorning = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);

    public SimulatedExchangeHarness(TradingDatabaseFixture database, SimulatedExchangeOptions? options = null)
    {
        Time = new FakeTimeProvider(MondayMorning);
        Market = new ControlledMarketData { Clock = Time };
        Options = options ?? new SimulatedExchangeOptions();
        Factory = CreateFactory(database);
    }

    public FakeTimeProvider Time { get; }

    public ControlledMarketData Market { get; }

    public SimulatedExchangeOptions Options { get; }

    public SimulatedExchangeFactory Factory { get; }

    /// <summary>A factory as a restarted process would build it: nothing shared with this one but the database.</summary>
    public SimulatedExchangeFactory CreateFactory(TradingDatabaseFixture database) =>
        new(database.DataSource, Market, NyseCalendar.Instance, Time, Microsoft.Extensions.Options.Options.Create(Options), NullLogger<SimulatedExchange>.Instance);

    public IBrokerageGateway For(Guid portfolioId) => Factory.For(portfolioId, TradingMode.Simulated);
}
