using StockGod.Testing;
using StockGod.Trading.Indicators;
using StockGod.Trading.Market;

namespace StockGod.Trading.Tests.Indicators;

/// <summary>Indicators over the real S&amp;P 500 history: streaming equals batch, and the rolling ones equal their definitions.</summary>
public sealed class RealDataIndicatorTests
{
    private static readonly Lazy<List<(string Symbol, Bar[] Bars)>> Sample = new(() =>
        [.. SharedData.DailyBars.BarsBySymbol
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Where((_, i) => i % 10 == 0) // 51 symbols, short histories included
            .Select(s => (s.Key, s.Value.ToArray()))]);

    [Fact]
    public void Streaming_and_batch_forms_agree_exactly_for_every_indicator()
    {
        foreach (var (symbol, bars) in Sample.Value)
        {
            var closes = bars.Select(b => b.Close).ToArray();
            AssertAgree(symbol, () => new SimpleMovingAverage(20), closes);
            AssertAgree(symbol, () => new ExponentialMovingAverage(20), closes);
            AssertAgree(symbol, () => new RelativeStrengthIndex(14), closes);
            AssertAgree(symbol, () => new MovingAverageConvergenceDivergence(), closes);
            AssertAgree(symbol, () => new BollingerBands(), closes);
            AssertAgree(symbol, () => new RateOfChange(12), closes);
            AssertAgree(symbol, () => new RollingVolatility(20), closes);
            AssertAgree(symbol, () => new AverageTrueRange(14), bars);
            AssertAgree(symbol, () => new DonchianChannel(20), bars);
        }
    }

    [Fact]
    public void Rolling_indicators_equal_their_definitions_window_by_window()
    {
        foreach (var (symbol, bars) in Sample.Value)
        {
            var closes = bars.Select(b => b.Close).ToArray();
            var sma = new SimpleMovingAverage(50).Compute(closes);
            var donchian = new DonchianChannel(20).Compute(bars);
            var volatility = new RollingVolatility(20).Compute(closes);
            var macd = new MovingAverageConvergenceDivergence().Compute(closes);
            var ema12 = new ExponentialMovingAverage(12).Compute(closes);
            var ema26 = new ExponentialMovingAverage(26).Compute(closes);

            for (var i = 0; i < bars.Length; i++)
            {
                if (i >= 49)
                {
                    Assert.Equal(closes[(i - 49)..(i + 1)].Sum() / 50m, sma.Values[i]);
                }

                if (i >= 19)
                {
                    var window = bars[(i - 19)..(i + 1)];
                    Assert.Equal((window.Max(b => b.High), window.Min(b => b.Low)), (donchian.Values[i].Upper, donchian.Values[i].Lower));

                    if (i >= 20)
                    {
                        // Reference in double: sample standard deviation of 20 log returns, annualised by sqrt(252).
                        var returns = Enumerable.Range(i - 19, 20).Select(j => Math.Log((double)closes[j] / (double)closes[j - 1])).ToArray();
                        var mean = returns.Average();
                        var expected = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / 19) * Math.Sqrt(252);
                        Assert.True(Math.Abs(expected - (double)volatility.Values[i]) < 1e-9, $"{symbol} volatility at {i}");
                    }
                }

                if (macd.IsReadyAt(i))
                {
                    Assert.Equal(ema12.Values[i] - ema26.Values[i], macd.Values[i].Macd);
                    Assert.Equal(macd.Values[i].Macd - macd.Values[i].Signal, macd.Values[i].Histogram);
                }
            }

            Assert.Equal(Math.Min(33, bars.Length), macd.FirstReadyIndex);
        }
    }

    private static void AssertAgree<TInput, TValue>(string symbol, Func<IIndicator<TInput, TValue>> create, TInput[] inputs)
    {
        var batch = create().Compute(inputs);
        var streaming = create();
        for (var i = 0; i < inputs.Length; i++)
        {
            streaming.Update(inputs[i]);
            Assert.Equal(batch.IsReadyAt(i), streaming.IsReady);
            if (streaming.IsReady)
            {
                Assert.True(EqualityComparer<TValue>.Default.Equals(batch.Values[i], streaming.Value), $"{symbol} {typeof(TValue).Name} at {i}");
            }
        }

        Assert.Equal(Math.Min(streaming.WarmUp - 1, inputs.Length), batch.FirstReadyIndex);
    }
}
