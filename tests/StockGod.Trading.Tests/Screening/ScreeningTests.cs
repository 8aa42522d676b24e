using System.Collections.Immutable;
using System.Text.Json;
using StockGod.Testing;
using StockGod.Trading.Calendar;
using StockGod.Trading.Market;
using StockGod.Trading.Screening;
using StockGod.Trading.Tests.Backtesting;

namespace StockGod.Trading.Tests.Screening;

/// <summary>The screen on the real S&amp;P 500 data, and its normalisation and ranking on small hand-made inputs.</summary>
public sealed class ScreeningTests
{
    private static readonly DateOnly LastDay = new(2018, 2, 7);

    private static IReadOnlyList<UniverseMember> Constituents() => ScreeningData.ReadConstituents(SharedData.RequirePath(ScreeningData.ConstituentsFile));

    private static IReadOnlyDictionary<string, Fundamentals> Financials() => ScreeningData.ReadFinancials(SharedData.RequirePath(ScreeningData.FinancialsFile));

    [Fact]
    public void Chunk_size_and_chunk_order_do_not_change_the_result()
    {
        var bars = SharedData.DailyBars.BarsBySymbol;
        var universe = ScreeningEngine.DefaultUniverse(Constituents(), bars.Keys, Financials());
        foreach (var settings in new[]
                 {
                     new ScreeningSettings { AsOf = LastDay },
                     new ScreeningSettings { AsOf = LastDay, Normalization = FactorNormalization.ZScore, WithinSector = true },
                 })
        {
            var expected = JsonSerializer.Serialize(ScreeningEngine.Run(universe, bars, Financials(), settings, universe.Count, TestContext.Current.CancellationToken));
            Assert.Contains("\"Rank\":25", expected, StringComparison.Ordinal);
            foreach (var chunkSize in new[] { 1, 7, 50, 505 })
            {
                Assert.Equal(expected, JsonSerializer.Serialize(ScreeningEngine.Run(universe, bars, Financials(), settings, chunkSize, TestContext.Current.CancellationToken)));

                // Chunks finishing in any order (reversed here) aggregate to the same result.
                var reversed = ScreeningEngine.Chunk(universe, chunkSize).Reverse()
                    .Select(c => ScreeningChunk.Compute(c, bars, Financials(), settings, TestContext.Current.CancellationToken));
                Assert.Equal(expected, JsonSerializer.Serialize(ScreeningAggregator.Aggregate(settings, reversed)));
            }
        }
    }

    [Fact]
    public void Real_screen_ranks_the_top_25_with_contributions_sectors_and_exclusions()
    {
        var bars = SharedData.DailyBars.BarsBySymbol;
        var universe = Constituents();
        var result = ScreeningEngine.Run(universe, bars, Financials(), new ScreeningSettings { AsOf = LastDay }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(25, result.Top.Count);
        Assert.Equal(universe.Count, result.Ranking.Count + result.Excluded.Count);
        Assert.Equal(Enumerable.Range(1, result.Ranking.Count), result.Ranking.Select(r => r.Rank));
        Assert.All(result.Ranking.Zip(result.Ranking.Skip(1)), pair => Assert.True(pair.First.Score >= pair.Second.Score));
        // The score is the sum of the contributions, each weight × normalised value.
        Assert.All(result.Top, r => Assert.Equal(r.Score, r.Factors.Sum(f => f.Contribution)));
        Assert.All(result.Top.SelectMany(r => r.Factors), f => Assert.Equal(f.Weight * f.Normalized, f.Contribution));
        Assert.Equal(25, result.Sectors.Sum(s => s.InTop));
        Assert.Equal(result.Ranking.Count, result.Sectors.Sum(s => s.Scored));
        Assert.DoesNotContain(result.Sectors, s => s.Sector == UniverseMember.UnknownSector);

        // Today's constituents absent from the 2013–2018 file are excluded for missing data; APTV (44 rows) for history.
        var absent = universe.Where(m => !bars.ContainsKey(m.Symbol)).Select(m => m.Symbol).ToList();
        Assert.NotEmpty(absent);
        Assert.All(absent, s => Assert.Equal("missing data: no daily bars", result.Excluded.Single(e => e.Symbol == s).Reason));
        Assert.StartsWith("too little history: 44 bars, 253 needed", result.Excluded.Single(e => e.Symbol == "APTV").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Price_factors_equal_their_definitions_on_real_bars()
    {
        var aapl = SharedData.DailyBars.BarsBySymbol["AAPL"];
        var asOf = NewYorkTime.DateOf(aapl[900].Timestamp);
        var values = ScreeningChunk.Compute([new UniverseMember("AAPL", "Information Technology")], SharedData.DailyBars.BarsBySymbol, null,
            new ScreeningSettings { AsOf = asOf }, TestContext.Current.CancellationToken).Symbols.Single();

        // Only bars up to the as-of day count: index 900 is "today" (t).
        var closes = aapl.Take(901).Select(b => b.Close).ToArray();
        var t = 900;
        Assert.Equal(901, values.Bars);
        Assert.Equal((closes[t - 21] / closes[t - 63]) - 1m, values[ScreeningFactor.Momentum3Months]);
        Assert.Equal((closes[t - 21] / closes[t - 126]) - 1m, values[ScreeningFactor.Momentum6Months]);
        Assert.Equal((closes[t - 21] / closes[t - 252]) - 1m, values[ScreeningFactor.Momentum12Months]);
        Assert.Equal((closes[t] / aapl.Skip(t - 251).Take(252).Max(b => b.High)) - 1m, values[ScreeningFactor.DistanceFrom52WeekHigh]);
        Assert.Equal((closes[t] / (closes[(t - 199)..(t + 1)].Sum() / 200m)) - 1m, values[ScreeningFactor.TrendVs200DaySma]);
        var volumes = aapl.Take(901).Select(b => (decimal)b.Volume).ToArray();
        Assert.Equal((volumes[(t - 19)..(t + 1)].Average() / volumes[(t - 99)..(t + 1)].Average()) - 1m, values[ScreeningFactor.VolumeTrend]);
        Assert.InRange(values[ScreeningFactor.Rsi14]!.Value, 0m, 100m);
        Assert.InRange(values[ScreeningFactor.Volatility60Days]!.Value, 0.05m, 1m);
        Assert.Null(values[ScreeningFactor.PriceEarnings]);
    }

    [Fact]
    public void Symbols_without_enough_recent_data_are_excluded_with_the_reason()
    {
        var days = NyseCalendar.Instance.TradingDays(new DateOnly(2020, 1, 2), new DateOnly(2022, 12, 30)).Select(s => s.Date).ToList();
        ImmutableArray<Bar> Series(int count, int skipAtEnd = 0) =>
            [.. days.Take(days.Count - skipAtEnd).TakeLast(count).Select(d => new Bar(NewYorkTime.StartOfDay(d), 10m, 11m, 9m, 10m, 100))];
        var bars = new Dictionary<string, ImmutableArray<Bar>> { ["SHORT"] = Series(100), ["STALE"] = Series(400, skipAtEnd: 30), ["OK"] = Series(400) };
        var settings = new ScreeningSettings { AsOf = days[^1] };

        var chunk = ScreeningChunk.Compute(
            [new("OK", "A"), new("SHORT", "A"), new("STALE", "A"), new("NONE", "A")], bars, null, settings, TestContext.Current.CancellationToken);

        Assert.Equal(["OK"], chunk.Symbols.Select(s => s.Symbol));
        Assert.Equal("too little history: 100 bars, 253 needed for Momentum12Months", chunk.Excluded.Single(e => e.Symbol == "SHORT").Reason);
        Assert.StartsWith($"missing data: latest bar is from {days[^31]:yyyy-MM-dd}", chunk.Excluded.Single(e => e.Symbol == "STALE").Reason, StringComparison.Ordinal);
        Assert.Equal("missing data: no daily bars", chunk.Excluded.Single(e => e.Symbol == "NONE").Reason);

        // Without weight on the long factors, 100 bars are enough (volume trend needs 100).
        var shortWeights = new Dictionary<ScreeningFactor, decimal> { [ScreeningFactor.Momentum3Months] = 1m, [ScreeningFactor.VolumeTrend] = 1m };
        var relaxed = ScreeningChunk.Compute([new("SHORT", "A")], bars, null, settings with { Weights = shortWeights }, TestContext.Current.CancellationToken);
        Assert.Null(Assert.Single(relaxed.Symbols)[ScreeningFactor.Momentum12Months]);
    }

    [Fact]
    public void Ranks_scale_to_minus_one_to_one_with_signed_weights_and_ties_broken_by_symbol()
    {
        // Momentum (weight +1): A 0.1, B 0.2, C 0.3, D 0.2 → sorted A, B=D, C → ranks 1, 2.5, 2.5, 4 →
        // (rank − 1) / 3 × 2 − 1 = −1, 0, 0, +1. Volatility (weight −1): A 0.4, B 0.1, C 0.3, D 0.2 → ranks 4, 1, 3, 2
        // → +1, −1, +1/3, −1/3; contributions −1, +1, −1/3, +1/3. Scores: A −2, B +1, C 2/3, D 1/3.
        var settings = new ScreeningSettings
        {
            AsOf = LastDay,
            Weights = new Dictionary<ScreeningFactor, decimal> { [ScreeningFactor.Momentum12Months] = 1m, [ScreeningFactor.Volatility60Days] = -1m },
        };
        var result = ScreeningAggregator.Aggregate(settings, [Chunk(("A", "X", 0.1m, 0.4m), ("B", "X", 0.2m, 0.1m)), Chunk(("C", "Y", 0.3m, 0.3m), ("D", "Y", 0.2m, 0.2m))]);

        Assert.Equal(["B", "C", "D", "A"], result.Ranking.Select(r => r.Symbol));
        Assert.Equal(new[] { 1m, 2m / 3m, 1m / 3m, -2m }.Select(x => Math.Round(x, 20)), result.Ranking.Select(r => Math.Round(r.Score, 20)));
        var b = result.Ranking[0].Factors;
        Assert.Equal((0m, 1m, 0m), (b[(int)ScreeningFactor.Momentum12Months].Normalized, b[(int)ScreeningFactor.Momentum12Months].Weight, b[(int)ScreeningFactor.Momentum12Months].Contribution));
        Assert.Equal((-1m, -1m, 1m), (b[(int)ScreeningFactor.Volatility60Days].Normalized, b[(int)ScreeningFactor.Volatility60Days].Weight, b[(int)ScreeningFactor.Volatility60Days].Contribution));

        // Equal scores rank by symbol: E and F identical → E first.
        var tied = ScreeningAggregator.Aggregate(settings, [Chunk(("F", "X", 0.1m, 0.1m), ("E", "X", 0.1m, 0.1m), ("G", "X", 0.3m, 0.1m))]);
        Assert.Equal(["G", "E", "F"], tied.Ranking.Select(r => r.Symbol));

        // Top 2 and sectors: X has B (in top) and A; Y has C (in top) and D. Averages: X (1 − 2) / 2, Y (2/3 + 1/3) / 2.
        var top2 = ScreeningAggregator.Aggregate(settings with { TopN = 2 }, [Chunk(("A", "X", 0.1m, 0.4m), ("B", "X", 0.2m, 0.1m), ("C", "Y", 0.3m, 0.3m), ("D", "Y", 0.2m, 0.2m))]);
        Assert.Equal(["B", "C"], top2.Top.Select(r => r.Symbol));
        Assert.Equal([("X", 2, 1, -0.5m), ("Y", 2, 1, 0.5m)], top2.Sectors.Select(s => (s.Sector, s.Scored, s.InTop, Math.Round(s.AverageScore, 20))));
    }

    [Fact]
    public void Z_scores_within_sector_and_missing_fundamentals_are_neutral()
    {
        // Sector X momentum 1, 2, 3: mean 2, population deviation √(2/3) → z = ∓√1.5 ≈ ∓1.2247 and 0.
        // Sector Y momentum 5, 7: mean 6, deviation 1 → z −1, +1 (normalised apart from X's values).
        var settings = new ScreeningSettings
        {
            AsOf = LastDay,
            Normalization = FactorNormalization.ZScore,
            WithinSector = true,
            Weights = new Dictionary<ScreeningFactor, decimal> { [ScreeningFactor.Momentum12Months] = 1m, [ScreeningFactor.DividendYield] = 2m },
        };
        var rows = new[] { ("A", "X", 1m), ("B", "X", 2m), ("C", "X", 3m), ("D", "Y", 5m), ("E", "Y", 7m) }
            .Select(r => Row(r.Item1, r.Item2, (ScreeningFactor.Momentum12Months, r.Item3), (ScreeningFactor.DividendYield, r.Item1 == "E" ? null : 1m)))
            .ToList();

        var result = ScreeningAggregator.Aggregate(settings, [new ScreeningChunkResult(rows, [])]);
        decimal Normalized(string symbol) => result.Ranking.Single(r => r.Symbol == symbol).Factors[(int)ScreeningFactor.Momentum12Months].Normalized;

        Assert.Equal(-Math.Sqrt(1.5), (double)Normalized("A"), 12);
        Assert.Equal(0m, Normalized("B"));
        Assert.Equal(Math.Sqrt(1.5), (double)Normalized("C"), 12);
        Assert.Equal((-1m, 1m), (Normalized("D"), Normalized("E")));
        // Every present dividend yield is the same (z 0); E has none: neutral 0 and reported as missing.
        var e = result.Ranking.Single(r => r.Symbol == "E");
        Assert.Equal([ScreeningFactor.DividendYield], e.MissingFactors);
        Assert.Equal(1m, e.Score);
    }

    [Fact]
    public void Data_files_load_with_sectors_quoted_names_and_missing_values()
    {
        var constituents = Constituents();
        Assert.Equal(503, constituents.Count);
        Assert.Equal(new UniverseMember("MMM", "Industrials"), constituents[0]);
        Assert.Equal(11, constituents.Select(c => c.Sector).Distinct().Count());

        var financials = Financials();
        Assert.Equal(505, financials.Count);
        Assert.Equal(new Fundamentals("MMM", "Industrials", 23.17m, 8.16m, 2.48m, 10.95m), financials["MMM"]);
        Assert.Equal(new Fundamentals("AIG", "Financials", null, -0.78m, 1.99m, 0.83m), financials["AIG"]);
        Assert.Null(financials["AKAM"].DividendYield);
    }

    [Fact]
    public void The_ranking_as_csv_has_one_row_per_symbol_with_every_factor()
    {
        var settings = new ScreeningSettings { AsOf = LastDay, Weights = new Dictionary<ScreeningFactor, decimal> { [ScreeningFactor.Momentum12Months] = 1m } };
        var result = ScreeningAggregator.Aggregate(settings, [Chunk(("A", "Health, Care", 0.1m, 0.4m), ("B", "X", 0.25m, 0.1m))]);

        var lines = ScreeningCsv.Write(result.Ranking).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.StartsWith("rank,symbol,sector,score,momentum3Months,momentum3Months_contribution,", lines[0], StringComparison.Ordinal);
        Assert.Equal(4 + (2 * ScreeningFactors.All.Count), lines[0].Split(',').Length);
        // B ranks first (+1); momentum 3 months is missing (empty), 12 months is 0.25 with contribution 1.
        Assert.StartsWith("1,B,X,1,,0,,0,0.25,1,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2,A,\"Health, Care\",-1,", lines[2], StringComparison.Ordinal);
    }

    private static ScreeningChunkResult Chunk(params (string Symbol, string Sector, decimal Momentum, decimal Volatility)[] rows) =>
        new([.. rows.Select(r => Row(r.Symbol, r.Sector, (ScreeningFactor.Momentum12Months, r.Momentum), (ScreeningFactor.Volatility60Days, r.Volatility)))], []);

    private static SymbolFactorValues Row(string symbol, string sector, params (ScreeningFactor Factor, decimal? Value)[] values)
    {
        var all = new decimal?[ScreeningFactors.All.Count];
        foreach (var (factor, value) in values)
        {
            all[(int)factor] = value;
        }

        return new SymbolFactorValues(symbol, sector, 300, all);
    }
}
