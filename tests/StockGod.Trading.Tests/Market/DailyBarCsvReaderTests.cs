using System.IO.Compression;
using System.Text;
using StockGod.Testing;
using StockGod.Trading.Calendar;
using StockGod.Trading.Market;

namespace StockGod.Trading.Tests.Market;

public sealed class DailyBarCsvReaderTests
{
    [Fact]
    public void Real_file_loads_every_row_of_every_symbol_and_reports_the_documented_quirks()
    {
        var history = SharedData.DailyBars;
        var report = history.Report;

        // Figures from shared/data/README.md.
        Assert.Equal(619_040, report.RowsRead);
        Assert.Equal(619_040, report.BarsLoaded);
        Assert.Equal(505, report.Symbols);
        Assert.Equal(505, history.BarsBySymbol.Count);
        Assert.Equal(0, report.RowsSkipped);
        Assert.Equal(11, report.Count(DailyBarRowIssue.MissingOpenFilled));
        Assert.Equal(8, report.Count(DailyBarRowIssue.MissingHighLowFilled));
        Assert.Equal(4, report.Count(DailyBarRowIssue.ZeroVolumeKept));
        Assert.Equal(12, report.Count(DailyBarRowIssue.ContradictoryOhlcRepaired));
        Assert.Equal(0, report.Count(DailyBarRowIssue.OutOfOrderSorted));
        Assert.Equal(470, history.BarsBySymbol.Values.Count(bars => bars.Length == 1259));
        Assert.Equal(44, history.BarsBySymbol["APTV"].Length);
        Assert.Contains("BRK.B", history.BarsBySymbol.Keys);
        Assert.Contains("BF.B", history.BarsBySymbol.Keys);
    }

    [Fact]
    public void Real_file_bars_satisfy_ohlc_invariants_and_are_stamped_at_new_york_midnight_in_date_order()
    {
        foreach (var (symbol, bars) in SharedData.DailyBars.BarsBySymbol)
        {
            for (var i = 0; i < bars.Length; i++)
            {
                var bar = bars[i];
                Assert.True(bar.Low > 0m && bar.Low <= Math.Min(bar.Open, bar.Close) && Math.Max(bar.Open, bar.Close) <= bar.High, $"{symbol} {bar}");
                Assert.True(bar.Volume >= 0, $"{symbol} {bar}");
                Assert.Equal(TimeSpan.Zero, NewYorkTime.ToNewYork(bar.Timestamp).TimeOfDay);
                Assert.True(i == 0 || bars[i - 1].Timestamp < bar.Timestamp, $"{symbol} out of order at {bar.Timestamp}");
            }
        }
    }

    [Fact]
    public void Real_file_dates_are_exactly_the_nyse_trading_days_of_its_range()
    {
        var dates = SharedData.DailyBars.BarsBySymbol.Values
            .SelectMany(bars => bars)
            .Select(bar => NewYorkTime.DateOf(bar.Timestamp))
            .Distinct()
            .Order()
            .ToList();

        var tradingDays = NyseCalendar.Instance.TradingDays(new DateOnly(2013, 2, 8), new DateOnly(2018, 2, 7)).Select(s => s.Date).ToList();

        Assert.Equal(1_259, tradingDays.Count);
        Assert.Equal(tradingDays, dates);
    }

    [Fact]
    public void Real_file_keeps_known_values_and_repairs_the_documented_rows()
    {
        var bars = SharedData.DailyBars.BarsBySymbol;

        // First row of the file, as written.
        Assert.Equal(new Bar(NewYorkTime.StartOfDay(new DateOnly(2013, 2, 8)), 15.07m, 15.12m, 14.63m, 14.75m, 8_407_500), bars["AAL"][0]);

        // "2016-01-12,,,,88.55,0,DHR": open, high and low taken from the close; volume 0 kept.
        var dhr = bars["DHR"].Single(b => NewYorkTime.DateOf(b.Timestamp) == new DateOnly(2016, 1, 12));
        Assert.Equal(new Bar(dhr.Timestamp, 88.55m, 88.55m, 88.55m, 88.55m, 0), dhr);

        // "2015-07-17,,88.76,88.24,88.72,2056819,DHR": only the open was missing.
        var dhrOpen = bars["DHR"].Single(b => NewYorkTime.DateOf(b.Timestamp) == new DateOnly(2015, 7, 17));
        Assert.Equal(new Bar(dhrOpen.Timestamp, 88.72m, 88.76m, 88.24m, 88.72m, 2_056_819), dhrOpen);

        // "2014-05-19,23.89,23.595,23.85,24.445,1944854,AOS": high below low and both below the close.
        var aos = bars["AOS"].Single(b => NewYorkTime.DateOf(b.Timestamp) == new DateOnly(2014, 5, 19));
        Assert.Equal(new Bar(aos.Timestamp, 23.89m, 24.445m, 23.595m, 24.445m, 1_944_854), aos);
    }

    [Fact]
    public void Dirty_rows_are_repaired_or_skipped_and_counted_without_throwing()
    {
        const string csv = """
            date,open,high,low,close,volume,Name
            2020-01-02,10,11,9,10.5,100,AAA
            2020-01-03,10,11,9,10.5,100,AAA
            2020-01-03,99,99,99,99,1,AAA
            2020-01-06,not-a-number,11,9,10.5,100,AAA
            2020-01-07,10,11,9,,100,AAA
            2020-01-08,10,11,9,-1,100,AAA
            2020-13-01,10,11,9,10,100,AAA
            2020-01-09,10,11,9
            2020-01-10,10,11,9,10,100,
            2020-01-14,12,11.5,12.5,12.2,100,BBB
            2020-01-13,12,12,12,12,0,BBB

            2020-01-15,20,21,19,20,5,AAA
            """;

        var report = new DailyBarLoadReport();
        var groups = DailyBarCsvReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)), report).ToList();

        Assert.Equal(["AAA", "BBB", "AAA"], groups.Select(g => g.Symbol));
        Assert.Equal([10.5m, 10.5m], groups[0].Bars.Select(b => b.Close)); // the first of two rows for 2020-01-03 wins
        Assert.Equal([new DateOnly(2020, 1, 13), new DateOnly(2020, 1, 14)], groups[1].Bars.Select(b => NewYorkTime.DateOf(b.Timestamp)));
        var bbb = groups[1].Bars[1];
        Assert.Equal((12m, 12.5m, 11.5m, 12.2m), (bbb.Open, bbb.High, bbb.Low, bbb.Close)); // high/low swapped

        Assert.Equal(12, report.RowsRead);
        Assert.Equal(5, report.BarsLoaded);
        Assert.Equal(2, report.Symbols);
        Assert.Equal(1, report.Count(DailyBarRowIssue.DuplicateDateSkipped));
        Assert.Equal(4, report.Count(DailyBarRowIssue.MalformedSkipped)); // bad number, bad date, 4 fields, no symbol
        Assert.Equal(1, report.Count(DailyBarRowIssue.MissingCloseSkipped));
        Assert.Equal(1, report.Count(DailyBarRowIssue.NonPositiveSkipped));
        Assert.Equal(1, report.Count(DailyBarRowIssue.ContradictoryOhlcRepaired));
        Assert.Equal(1, report.Count(DailyBarRowIssue.ZeroVolumeKept));
        Assert.Equal(2, report.Count(DailyBarRowIssue.OutOfOrderSorted)); // BBB out of order, AAA split in two runs
        Assert.Equal(7, report.RowsSkipped);
        Assert.Contains(report.Notes, n => n is { Issue: DailyBarRowIssue.MissingCloseSkipped, Symbol: "AAA", Date: "2020-01-07", Line: 6 });
    }

    [Fact]
    public void Read_file_merges_a_symbol_split_across_runs_and_reads_gzip_and_plain_text_alike()
    {
        const string csv = "date,open,high,low,close,volume,Name\r\n"
            + "2020-01-03,1,1,1,1,1,AAA\r\n2020-01-02,2,2,2,2,2,BBB\r\n2020-01-02,3,3,3,3,3,AAA\r\n2020-01-03,4,4,4,4,4,AAA";
        var plain = Path.Combine(Path.GetTempPath(), $"bars-{Guid.NewGuid():N}.csv");
        var gzip = plain + ".gz";
        try
        {
            File.WriteAllText(plain, csv);
            using (var output = new GZipStream(File.Create(gzip), CompressionLevel.Fastest))
            {
                output.Write(Encoding.UTF8.GetBytes(csv));
            }

            foreach (var path in new[] { plain, gzip })
            {
                var history = DailyBarCsvReader.ReadFile(path, TestContext.Current.CancellationToken);
                Assert.Equal([3m, 1m], history.BarsBySymbol["AAA"].Select(b => b.Close));
                Assert.Equal(3, history.Report.BarsLoaded);
                Assert.Equal(1, history.Report.Count(DailyBarRowIssue.DuplicateDateSkipped));
            }
        }
        finally
        {
            File.Delete(plain);
            File.Delete(gzip);
        }
    }

    [Fact]
    public void A_file_without_the_expected_columns_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            DailyBarCsvReader.Read(new MemoryStream("symbol,price\nAAA,1\n"u8.ToArray()), new DailyBarLoadReport()).ToList());
        Assert.Contains("date", error.Message, StringComparison.Ordinal);
    }
}
