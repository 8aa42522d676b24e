extern alias MarketDataServer;
using MarketDataServer::StockGod.MarketData.Providers.Replay;
using MarketDataServer::StockGod.MarketData.Providers.Simulation;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing;
using StockGod.Trading.Calendar;
using StockGod.Trading.Market;

namespace StockGod.MarketData.Tests;

/// <summary>The replay of the real S&amp;P 500 file (../shared/data), loaded once for the class.</summary>
public sealed class ReplayMarketTests(ReplayMarketTests.RealFile file) : IClassFixture<ReplayMarketTests.RealFile>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_first_session_replays_the_first_data_day_and_the_replay_wraps_after_every_data_day()
    {
        var history = file.History;
        var real = SharedData.DailyBars.BarsBySymbol["AAPL"];
        var sessions = NyseCalendar.Instance.TradingDays(history.FirstDate, history.FirstDate.AddYears(12)).ToList();

        Assert.Equal(new DateOnly(2013, 2, 8), history.FirstDate);
        Assert.Equal(1259, history.DataDays);
        Assert.Equal(real[0] with { Timestamp = default }, history.DailyBar("AAPL", sessions[0])!.Value with { Timestamp = default });
        Assert.Equal(real[1] with { Timestamp = default }, history.DailyBar("AAPL", sessions[1])!.Value with { Timestamp = default });
        Assert.Equal(
            history.DailyBar("AAPL", sessions[5])!.Value with { Timestamp = default },
            history.DailyBar("AAPL", sessions[5 + history.DataDays])!.Value with { Timestamp = default });
        Assert.Equal(NewYorkTime.StartOfDay(sessions[1].Date), history.DailyBar("AAPL", sessions[1])!.Value.Timestamp);
        Assert.Null(history.DailyBar("AAPL", NyseCalendar.Instance.SessionFor(new DateOnly(2013, 2, 7))!));
    }

    [Fact]
    public async Task Every_replayed_daily_bar_of_every_symbol_keeps_the_ohlc_invariants()
    {
        var now = new DateTimeOffset(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);
        var provider = new SimulatedMarketProvider(file.History, NyseCalendar.Instance, new FakeTimeProvider(now));

        var bars = await provider.GetBarsAsync([.. file.History.Symbols], BarTimeframe.Day1, now.AddYears(-6), now, Ct);

        Assert.True(bars.Count > 500);
        Assert.True(bars["AAPL"].Count > 1259);
        foreach (var (_, list) in bars)
        {
            BarAssert.Valid(list);
        }
    }

    [Fact]
    public async Task Intraday_bars_and_quotes_follow_the_real_days_range()
    {
        var now = new DateTimeOffset(2026, 3, 10, 17, 0, 0, TimeSpan.Zero);
        var provider = new SimulatedMarketProvider(file.History, NyseCalendar.Instance, new FakeTimeProvider(now));
        string[] symbols = ["AAPL", "BRK.B", "LNT", "APTV"];

        var daily = await provider.GetBarsAsync(symbols, BarTimeframe.Day1, now.AddDays(-10), now, Ct);
        var minutes = await provider.GetBarsAsync(symbols, BarTimeframe.Minute1, now.AddDays(-10), now, Ct);
        var quotes = await provider.GetLatestQuotesAsync(symbols, Ct);

        foreach (var symbol in symbols)
        {
            BarAssert.Valid(minutes[symbol]);
            foreach (var day in daily[symbol])
            {
                var inDay = minutes[symbol].Where(b => NewYorkTime.DateOf(b.Timestamp) == NewYorkTime.DateOf(day.Timestamp)).ToList();
                Assert.Equal(day.Open, inDay[0].Open);
                Assert.Equal(day.Close, inDay[^1].Close);
                Assert.Equal(day.High, inDay.Max(b => b.High));
                Assert.Equal(day.Low, inDay.Min(b => b.Low));
                Assert.Equal(day.Volume, inDay.Sum(b => b.Volume));
            }

            if (daily[symbol].Count > 0)
            {
                Assert.Equal("replay", quotes[symbol].Source);
            }
        }

        Assert.Contains("BRK.B", quotes.Keys);
    }

    public sealed class RealFile
    {
        private readonly Lazy<ReplayDailyHistory> _history = new(() => new ReplayDailyHistory(
            Options.Create(new ReplayOptions { Path = SharedData.RequirePath(SharedData.DailyBarsFile) }),
            NyseCalendar.Instance,
            new HostingEnvironment { ContentRootPath = AppContext.BaseDirectory },
            NullLogger<ReplayDailyHistory>.Instance));

        /// <summary>Skips the test when the data folder is absent.</summary>
        public ReplayDailyHistory History => _history.Value;
    }
}
