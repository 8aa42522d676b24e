using BenchmarkDotNet.Attributes;
using StockGod.Testing;
using StockGod.Trading.Market;
using StockGod.Trading.Screening;

namespace StockGod.Benchmarks.Research;

/// <summary>
/// Screening the whole real universe (503 constituents against 505 symbols' daily bars, 2017 fundamentals), in
/// chunks of 50. "From files" also reads the daily file, the constituents and the fundamentals.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class ScreeningBenchmarks
{
    private static readonly ScreeningSettings Settings = new() { AsOf = new DateOnly(2018, 2, 7) };

    private DailyBarHistory _history = null!;
    private IReadOnlyList<UniverseMember> _universe = [];
    private IReadOnlyDictionary<string, Fundamentals> _fundamentals = null!;

    [GlobalSetup]
    public void LoadRealData()
    {
        _history = DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile));
        _universe = ScreeningData.ReadConstituents(SharedData.RequirePath(ScreeningData.ConstituentsFile));
        _fundamentals = ScreeningData.ReadFinancials(SharedData.RequirePath(ScreeningData.FinancialsFile));
    }

    [Benchmark(Description = "Screen, bars in memory")]
    public int Screen() => ScreeningEngine.Run(_universe, _history.BarsBySymbol, _fundamentals, Settings).Ranking.Count;

    [Benchmark(Description = "Screen from files (read daily file, constituents, fundamentals)")]
    public int ScreenFromFiles()
    {
        var history = DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile));
        var universe = ScreeningData.ReadConstituents(SharedData.RequirePath(ScreeningData.ConstituentsFile));
        var fundamentals = ScreeningData.ReadFinancials(SharedData.RequirePath(ScreeningData.FinancialsFile));
        return ScreeningEngine.Run(universe, history.BarsBySymbol, fundamentals, Settings).Ranking.Count;
    }
}
