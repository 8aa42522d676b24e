using StockGod.Trading.Market;

namespace StockGod.MarketData.Tests.Support;

internal static class BarAssert
{
    /// <summary>low ≤ open, close ≤ high; low &gt; 0; volume ≥ 0; timestamps strictly increasing.</summary>
    public static void Valid(IReadOnlyList<Bar> bars)
    {
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            Assert.True(
                bar.Low > 0 && bar.Low <= bar.Open && bar.Low <= bar.Close && bar.High >= bar.Open && bar.High >= bar.Close && bar.Volume >= 0,
                $"Bar at {bar.Timestamp:O} breaks OHLC: {bar}");
            Assert.True(i == 0 || bars[i - 1].Timestamp < bar.Timestamp, $"Bars out of order at {bar.Timestamp:O}.");
        }
    }
}
