extern alias MarketDataServer;
using MarketDataServer::StockGod.MarketData.Providers.Simulation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing.MarketData;
using StockGod.Trading.Calendar;
using StockGod.Trading.Market;

namespace StockGod.MarketData.Tests;

public sealed class SyntheticMarketTests
{
    private static readonly NyseCalendar Calendar = NyseCalendar.Instance;
    private static readonly DateOnly From = new(2021, 1, 4);
    private static readonly DateOnly To = new(2025, 12, 31);

    [Fact]
    public async Task The_same_symbol_and_time_give_the_same_prices_in_independent_instances()
    {
        var first = Provider(new SyntheticMarketOptions(), MarketDataTestHost.MarketOpen);
        var second = Provider(new SyntheticMarketOptions(), MarketDataTestHost.MarketOpen);
        string[] symbols = ["AAPL", "BRK.B", "SPY"];
        var start = MarketDataTestHost.MarketOpen.AddDays(-30);
        var ct = TestContext.Current.CancellationToken;

        var quotesA = await first.GetLatestQuotesAsync(symbols, ct);
        var quotesB = await second.GetLatestQuotesAsync(symbols, ct);
        var barsA = await first.GetBarsAsync(symbols, BarTimeframe.Minute5, start, MarketDataTestHost.MarketOpen, ct);
        var barsB = await second.GetBarsAsync(symbols, BarTimeframe.Minute5, start, MarketDataTestHost.MarketOpen, ct);

        Assert.Equal(symbols.Length, quotesA.Count);
        foreach (var symbol in symbols)
        {
            Assert.Equal(quotesA[symbol], quotesB[symbol]);
            Assert.NotEmpty(barsA[symbol]);
            Assert.Equal(barsA[symbol], barsB[symbol]);
        }

        var otherMarket = Provider(new SyntheticMarketOptions { Seed = "another" }, MarketDataTestHost.MarketOpen);
        Assert.NotEqual(quotesA["AAPL"].LastPrice, (await otherMarket.GetLatestQuotesAsync(symbols, ct))["AAPL"].LastPrice);
    }

    [Fact]
    public void Annualised_volatility_of_every_stock_lies_within_the_configured_range()
    {
        var options = new SyntheticMarketOptions();
        var history = new SyntheticDailyHistory(Options.Create(options), Calendar);

        foreach (var symbol in SyntheticMarketOptions.DefaultUniverse.Where(s => s != options.MarketSymbol))
        {
            var returns = LogReturns(history, symbol);
            var volatility = StandardDeviation(returns) * Math.Sqrt(252);

            // Five years of daily returns estimate volatility to within a few percent; the bars add rounding.
            Assert.InRange(volatility, options.MinAnnualVolatility * 0.9, options.MaxAnnualVolatility * 1.1);
            Assert.InRange(history.Profile(symbol).AnnualVolatility, options.MinAnnualVolatility, options.MaxAnnualVolatility);
        }
    }

    [Fact]
    public void Stocks_correlate_positively_with_the_market_factor_and_with_the_index()
    {
        var options = new SyntheticMarketOptions();
        var history = new SyntheticDailyHistory(Options.Create(options), Calendar);
        var sessions = Calendar.TradingDays(From, To).Skip(1).ToList();
        var factor = sessions.Select(s => history.MarketShock(s.Date)).ToArray();
        var index = LogReturns(history, options.MarketSymbol);

        foreach (var symbol in SyntheticMarketOptions.DefaultUniverse.Where(s => s != options.MarketSymbol))
        {
            var returns = LogReturns(history, symbol);
            Assert.InRange(Correlation(returns, factor), options.MinMarketCorrelation - 0.1, options.MaxMarketCorrelation + 0.1);
            Assert.True(Correlation(returns, index) > 0.3, $"{symbol} does not move with {options.MarketSymbol}.");
        }
    }

    [Fact]
    public async Task Daily_and_minute_bars_keep_the_ohlc_invariants_and_minutes_add_up_to_their_day()
    {
        var now = new DateTimeOffset(2026, 3, 7, 0, 0, 0, TimeSpan.Zero);
        var provider = Provider(new SyntheticMarketOptions(), now);
        var ct = TestContext.Current.CancellationToken;
        var symbols = SyntheticMarketOptions.DefaultUniverse.ToArray();

        var daily = await provider.GetBarsAsync(symbols, BarTimeframe.Day1, now.AddYears(-3), now, ct);
        var minutes = await provider.GetBarsAsync(symbols, BarTimeframe.Minute1, now.AddDays(-7), now, ct);

        foreach (var symbol in symbols)
        {
            Assert.True(daily[symbol].Count > 700, $"{symbol} has {daily[symbol].Count} daily bars in 3 years.");
            BarAssert.Valid(daily[symbol]);
            BarAssert.Valid(minutes[symbol]);
            foreach (var day in minutes[symbol].GroupBy(b => NewYorkDate(b.Timestamp)))
            {
                var bar = Assert.Single(daily[symbol], d => NewYorkDate(d.Timestamp) == day.Key);
                var list = day.ToList();
                var session = Calendar.SessionFor(day.Key)!;
                Assert.Equal((int)(session.Close - session.Open).TotalMinutes, list.Count);
                Assert.Equal(bar.Open, list[0].Open);
                Assert.Equal(bar.Close, list[^1].Close);
                Assert.Equal(bar.High, list.Max(b => b.High));
                Assert.Equal(bar.Low, list.Min(b => b.Low));
                Assert.Equal(bar.Volume, list.Sum(b => b.Volume));
            }
        }
    }

    [Fact]
    public async Task Quotes_have_a_spread_around_the_last_price_and_move_during_the_session()
    {
        var time = new FakeTimeProvider(MarketDataTestHost.MarketOpen);
        var provider = new SimulatedMarketProvider(
            new SyntheticDailyHistory(Options.Create(new SyntheticMarketOptions()), Calendar), Calendar, time);
        var ct = TestContext.Current.CancellationToken;
        var symbols = SyntheticMarketOptions.DefaultUniverse.ToArray();

        var before = await provider.GetLatestQuotesAsync(symbols, ct);
        time.Advance(TimeSpan.FromMinutes(30));
        var after = await provider.GetLatestQuotesAsync(symbols, ct);

        foreach (var quote in before.Values.Concat(after.Values))
        {
            Assert.True(quote.BidPrice > 0 && quote.BidPrice < quote.AskPrice, $"{quote.Symbol}: bid {quote.BidPrice}, ask {quote.AskPrice}");
            Assert.InRange(quote.LastPrice, quote.BidPrice, quote.AskPrice);
            Assert.True(quote.BidSize > 0 && quote.AskSize > 0);
            Assert.Equal("synthetic", quote.Source);
        }

        Assert.Contains(symbols, s => before[s].LastPrice != after[s].LastPrice);
        Assert.Equal(time.GetUtcNow(), after["AAPL"].Timestamp);
    }

    [Fact]
    public async Task Unknown_symbols_are_left_out()
    {
        var provider = Provider(new SyntheticMarketOptions(), MarketDataTestHost.MarketOpen);

        var quotes = await provider.GetLatestQuotesAsync(["AAPL", "NOPE"], TestContext.Current.CancellationToken);

        Assert.Equal(["AAPL"], quotes.Keys);
    }

    private static SimulatedMarketProvider Provider(SyntheticMarketOptions options, DateTimeOffset now) =>
        new(new SyntheticDailyHistory(Options.Create(options), Calendar), Calendar, new FakeTimeProvider(now));

    private static double[] LogReturns(SyntheticDailyHistory history, string symbol)
    {
        var closes = Calendar.TradingDays(From, To).Select(s => (double)history.DailyBar(symbol, s)!.Value.Close).ToArray();
        return [.. closes.Skip(1).Select((close, i) => Math.Log(close / closes[i]))];
    }

    private static double StandardDeviation(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static double Correlation(double[] a, double[] b)
    {
        double meanA = a.Average(), meanB = b.Average();
        var covariance = a.Zip(b, (x, y) => (x - meanA) * (y - meanB)).Sum();
        return covariance / Math.Sqrt(a.Sum(x => (x - meanA) * (x - meanA)) * b.Sum(y => (y - meanB) * (y - meanB)));
    }

    private static DateOnly NewYorkDate(DateTimeOffset instant) => NewYorkTime.DateOf(instant);
}
