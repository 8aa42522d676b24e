using Microsoft.Extensions.Options;

namespace StockGod.MarketData.Providers.Simulation;

/// <summary>
/// A deterministic daily market: each symbol's close walks from <see cref="SyntheticMarketOptions.HistoryStart"/>
/// with log returns R = (μ − σ²/2)/252 + σ/√252 · (ρ·m + √(1−ρ²)·e), where m (the market factor) is drawn from the
/// date alone and e from the symbol and date. μ, σ and ρ are drawn once per symbol from the configured ranges. Prices
/// are modelled in double and rounded to cents when they become bars.
/// </summary>
public sealed class SyntheticDailyHistory : IDailyHistory
{
    private const int TradingDaysPerYear = 252;
    private const string MarketFactor = "$market";

    private readonly SyntheticMarketOptions _options;
    private readonly IMarketCalendar _calendar;
    private readonly HashSet<string> _symbols;
    private readonly Dictionary<string, Series> _series;

    public SyntheticDailyHistory(IOptions<SyntheticMarketOptions> options, IMarketCalendar calendar)
    {
        _options = options.Value;
        _calendar = calendar;
        var universe = _options.Symbols.Length > 0 ? _options.Symbols : SyntheticMarketOptions.DefaultUniverse;
        _symbols = new HashSet<string>(universe.Select(s => s.Trim().ToUpperInvariant()), StringComparer.Ordinal);
        _series = _symbols.ToDictionary(s => s, s => new Series(Profile(s)), StringComparer.Ordinal);
    }

    public string Name => "synthetic";

    public string Market => _options.Seed;

    public IReadOnlyCollection<string> Symbols => _symbols;

    public bool Contains(string symbol) => _symbols.Contains(symbol);

    public Bar? DailyBar(string symbol, MarketSession session)
    {
        if (!_series.TryGetValue(symbol, out var series) || session.Date < _options.HistoryStart)
        {
            return null;
        }

        lock (series)
        {
            Extend(symbol, series, session.Date);
            var index = series.Dates.BinarySearch(session.Date);
            return index >= 0 ? series.Bars[index] : null;
        }
    }

    /// <summary>The symbol's drift, volatility and market correlation (annualised), fixed for the market's seed.</summary>
    public SymbolProfile Profile(string symbol)
    {
        var random = DeterministicRandom.For(_options.Seed, symbol, 0, stream: 1);
        var price = Math.Exp(random.NextDouble(Math.Log(20), Math.Log(400)));
        var volume = Math.Exp(random.NextDouble(Math.Log(2e6), Math.Log(4e7)));
        return symbol == _options.MarketSymbol
            ? new SymbolProfile(_options.MarketAnnualDrift, _options.MarketAnnualVolatility, 1.0, price, volume)
            : new SymbolProfile(
                random.NextDouble(_options.MinAnnualDrift, _options.MaxAnnualDrift),
                random.NextDouble(_options.MinAnnualVolatility, _options.MaxAnnualVolatility),
                random.NextDouble(_options.MinMarketCorrelation, _options.MaxMarketCorrelation),
                price,
                volume);
    }

    /// <summary>The market factor's standard-normal draw of a date, shared by every symbol.</summary>
    public double MarketShock(DateOnly date) => DeterministicRandom.For(_options.Seed, MarketFactor, date.DayNumber, stream: 2).NextGaussian();

    private void Extend(string symbol, Series series, DateOnly through)
    {
        var from = series.Dates.Count == 0 ? _options.HistoryStart : series.Dates[^1].AddDays(1);
        if (from > through)
        {
            return;
        }

        var profile = series.Profile;
        var dailyVolatility = profile.AnnualVolatility / Math.Sqrt(TradingDaysPerYear);
        var dailyDrift = (profile.AnnualDrift - (profile.AnnualVolatility * profile.AnnualVolatility / 2)) / TradingDaysPerYear;
        var idiosyncratic = Math.Sqrt(1 - (profile.MarketCorrelation * profile.MarketCorrelation));
        foreach (var session in _calendar.TradingDays(from, through))
        {
            var random = DeterministicRandom.For(_options.Seed, symbol, session.Date.DayNumber, stream: 3);
            var shock = (profile.MarketCorrelation * MarketShock(session.Date)) + (idiosyncratic * random.NextGaussian());
            var logReturn = dailyDrift + (dailyVolatility * shock);
            var previous = series.LastClose;
            var close = previous * Math.Exp(logReturn);
            // Part of the day's move happens overnight; the rest between the open and the close.
            var open = previous * Math.Exp((0.3 * logReturn) + (0.2 * dailyVolatility * random.NextGaussian()));
            var high = Math.Max(open, close) * Math.Exp(Math.Abs(random.NextGaussian()) * 0.4 * dailyVolatility);
            var low = Math.Min(open, close) * Math.Exp(-Math.Abs(random.NextGaussian()) * 0.4 * dailyVolatility);
            var volume = (long)(profile.BaseVolume * Math.Exp((0.25 * random.NextGaussian()) + (0.3 * Math.Abs(shock))));

            var o = Cents(open);
            var c = Cents(close);
            var h = Math.Max(Cents(high), Math.Max(o, c));
            var l = Math.Min(Cents(low), Math.Min(o, c));
            series.Dates.Add(session.Date);
            series.Bars.Add(new Bar(
                NewYorkTime.StartOfDay(session.Date),
                o,
                h,
                l,
                c,
                volume,
                decimal.Round((h + l + c) / 3m, 4),
                (int)(volume / 150)));
            series.LastClose = close;
        }
    }

    private static decimal Cents(double price) => Math.Max(0.01m, decimal.Round((decimal)price, 2));

    /// <summary>Per-symbol model parameters (annualised) and starting levels.</summary>
    public readonly record struct SymbolProfile(double AnnualDrift, double AnnualVolatility, double MarketCorrelation, double StartPrice, double BaseVolume);

    private sealed class Series(SymbolProfile profile)
    {
        public SymbolProfile Profile { get; } = profile;

        public List<DateOnly> Dates { get; } = [];

        public List<Bar> Bars { get; } = [];

        public double LastClose { get; set; } = profile.StartPrice;
    }
}
