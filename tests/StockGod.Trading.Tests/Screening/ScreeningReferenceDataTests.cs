using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using StockGod.Trading.Market;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Trading.Tests.Screening;

/// <summary>Where the screening universe comes from: configuration, else the constituents file, else the provider.</summary>
public sealed class ScreeningReferenceDataTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_symbols_or_a_constituents_file_the_universe_is_the_market_data_providers()
    {
        var source = new ListingSource("AAPL", "BRK.B", "MSFT");
        var referenceData = Create(new ScreeningOptions { ConstituentsPath = "no-such-constituents.csv" }, source);

        var first = await referenceData.GetUniverseAsync(Ct);
        var second = await referenceData.GetUniverseAsync(Ct);

        Assert.Equal(["AAPL", "BRK.B", "MSFT"], first.Select(m => m.Symbol));
        Assert.All(first, m => Assert.Equal(UniverseMember.UnknownSector, m.Sector));
        Assert.Same(first, second);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task Configured_symbols_win_over_the_provider_and_it_is_not_asked()
    {
        var source = new ListingSource("AAPL");
        var referenceData = Create(new ScreeningOptions { Symbols = ["ko", " pep "] }, source);

        var universe = await referenceData.GetUniverseAsync(Ct);

        Assert.Equal(["KO", "PEP"], universe.Select(m => m.Symbol));
        Assert.Equal(0, source.Calls);
    }

    [Fact]
    public async Task With_no_source_of_symbols_at_all_starting_a_screen_says_what_to_configure()
    {
        var referenceData = Create(new ScreeningOptions { ConstituentsPath = "no-such-constituents.csv" }, new ListingSource());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => referenceData.GetUniverseAsync(Ct));

        Assert.Contains("Screening:Symbols", error.Message, StringComparison.Ordinal);
    }

    private static ScreeningReferenceData Create(ScreeningOptions options, IMarketDataSource source) =>
        new(Options.Create(options), new HostingEnvironment { ContentRootPath = Path.GetTempPath() }, source);

    private sealed class ListingSource(params string[] symbols) : IMarketDataSource
    {
        public int Calls { get; private set; }

        public Task<IReadOnlyList<string>> ListSymbolsAsync(CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult<IReadOnlyList<string>>(symbols);
        }

        public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
            IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
