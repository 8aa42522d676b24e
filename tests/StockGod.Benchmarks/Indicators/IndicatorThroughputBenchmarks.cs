using BenchmarkDotNet.Attributes;
using StockGod.Testing;
using StockGod.Trading.Indicators;
using StockGod.Trading.Market;

namespace StockGod.Benchmarks.Indicators;

/// <summary>
/// Indicator throughput over the real S&amp;P 500 file (505 symbols, 619,040 daily bars): each benchmark runs
/// fresh streaming indicators over every symbol's whole history. Bars per second = 619,040 / mean time.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class IndicatorThroughputBenchmarks
{
    private Bar[][] _symbols = [];

    [GlobalSetup]
    public void LoadRealData() =>
        _symbols = [.. DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile)).BarsBySymbol.Values.Select(b => b.ToArray())];

    [Benchmark(Description = "SMA(20)")]
    public decimal Sma() => RunCloses(() => new SimpleMovingAverage(20));

    [Benchmark(Description = "EMA(20)")]
    public decimal Ema() => RunCloses(() => new ExponentialMovingAverage(20));

    [Benchmark(Description = "RSI(14)")]
    public decimal Rsi() => RunCloses(() => new RelativeStrengthIndex(14));

    [Benchmark(Description = "Bollinger(20,2)")]
    public decimal Bollinger() => RunCloses(() => new BollingerBands(20, 2m), v => v.Upper);

    [Benchmark(Description = "ATR(14)")]
    public decimal Atr() => RunBars(() => new AverageTrueRange(14), v => v);

    [Benchmark(Description = "All nine indicators per bar")]
    public decimal AllNine()
    {
        var checksum = 0m;
        foreach (var bars in _symbols)
        {
            var sma = new SimpleMovingAverage(20);
            var ema = new ExponentialMovingAverage(20);
            var rsi = new RelativeStrengthIndex(14);
            var macd = new MovingAverageConvergenceDivergence();
            var bollinger = new BollingerBands();
            var atr = new AverageTrueRange(14);
            var roc = new RateOfChange(12);
            var volatility = new RollingVolatility(20);
            var donchian = new DonchianChannel(20);
            foreach (var bar in bars)
            {
                sma.Update(bar.Close);
                ema.Update(bar.Close);
                rsi.Update(bar.Close);
                macd.Update(bar.Close);
                bollinger.Update(bar.Close);
                atr.Update(bar);
                roc.Update(bar.Close);
                volatility.Update(bar.Close);
                donchian.Update(bar);
            }

            checksum += sma.Value + ema.Value + rsi.Value + macd.Value.Histogram + bollinger.Value.Upper + atr.Value
                + roc.Value + volatility.Value + donchian.Value.Middle;
        }

        return checksum;
    }

    private decimal RunCloses(Func<IIndicator<decimal, decimal>> create) => RunCloses(create, v => v);

    // Values are read every bar (as a strategy would), so lazily computed outputs such as the square root count.
    private decimal RunCloses<TValue>(Func<IIndicator<decimal, TValue>> create, Func<TValue, decimal> pick)
    {
        var checksum = 0m;
        foreach (var bars in _symbols)
        {
            var indicator = create();
            foreach (var bar in bars)
            {
                indicator.Update(bar.Close);
                if (indicator.IsReady)
                {
                    checksum += pick(indicator.Value);
                }
            }
        }

        return checksum;
    }

    private decimal RunBars<TValue>(Func<IIndicator<Bar, TValue>> create, Func<TValue, decimal> pick)
    {
        var checksum = 0m;
        foreach (var bars in _symbols)
        {
            var indicator = create();
            foreach (var bar in bars)
            {
                indicator.Update(bar);
                if (indicator.IsReady)
                {
                    checksum += pick(indicator.Value);
                }
            }
        }

        return checksum;
    }
}
