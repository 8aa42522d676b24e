using StockGod.Trading.Indicators;
using StockGod.Trading.Market;

namespace StockGod.Trading.Tests.Indicators;

/// <summary>
/// Indicators against StockCharts ChartSchool's worked spreadsheets (cs-rsi, cs-movavg, cs-atr, cs-bbands, cs-roc):
/// the inputs and expected outputs below are the published tables, not values produced by this code. The tables
/// are rounded, so each comparison allows half a unit in the table's last digit (plus the spreadsheet's own rounding).
/// </summary>
public sealed class PublishedExamplesTests
{
    [Fact]
    public void Rsi_matches_the_stockcharts_14_day_example()
    {
        // The spreadsheet shows two decimals but computes with these four-decimal closes.
        decimal[] closes =
        [
            44.3389m, 44.0902m, 44.1497m, 43.6124m, 44.3278m, 44.8264m, 45.0955m, 45.4245m, 45.8433m, 46.0826m, 45.8931m,
            46.0328m, 45.6140m, 46.2820m, 46.2820m, 46.0028m, 46.0328m, 46.4116m, 46.2222m, 45.6439m, 46.2122m, 46.2521m,
            45.7137m, 46.4515m, 45.7835m, 45.3548m, 44.0288m, 44.1783m, 44.2181m, 44.5672m, 43.4205m, 42.6628m, 43.1314m,
        ];
        decimal[] published =
        [
            70.53m, 66.32m, 66.55m, 69.41m, 66.36m, 57.97m, 62.93m, 63.26m, 56.06m, 62.38m, 54.71m, 50.42m, 39.99m, 41.46m,
            41.87m, 45.46m, 37.30m, 33.08m, 37.77m,
        ];

        var series = new RelativeStrengthIndex(14).Compute(closes);

        Assert.Equal(14, series.FirstReadyIndex);
        AssertClose(published, series.Values.Skip(14), 0.005m);
    }

    [Fact]
    public void Ema_matches_the_stockcharts_10_day_example()
    {
        decimal[] closes =
        [
            22.27m, 22.19m, 22.08m, 22.17m, 22.18m, 22.13m, 22.23m, 22.43m, 22.24m, 22.29m, 22.15m, 22.39m, 22.38m, 22.61m,
            23.36m, 24.05m, 23.75m, 23.83m, 23.95m, 23.63m, 23.82m, 23.87m, 23.65m, 23.19m, 23.10m, 23.33m, 22.68m, 23.10m,
            22.40m, 22.17m,
        ];
        decimal[] published =
        [
            22.22m, 22.21m, 22.24m, 22.27m, 22.33m, 22.52m, 22.79m, 22.97m, 23.13m, 23.28m, 23.34m, 23.43m, 23.51m, 23.53m,
            23.47m, 23.40m, 23.39m, 23.26m, 23.23m, 23.08m, 22.91m,
        ];

        var series = new ExponentialMovingAverage(10).Compute(closes);

        Assert.Equal(9, series.FirstReadyIndex);
        Assert.Equal(22.221m, series.Values[9]); // the seed is the 10-day simple average
        AssertClose(published, series.Values.Skip(9), 0.006m); // the spreadsheet rounds its multiplier to 0.1818
    }

    [Fact]
    public void Atr_matches_the_stockcharts_14_day_example()
    {
        (decimal High, decimal Low, decimal Close)[] rows =
        [
            (48.70m, 47.79m, 48.16m), (48.72m, 48.14m, 48.61m), (48.90m, 48.39m, 48.75m), (48.87m, 48.37m, 48.63m),
            (48.82m, 48.24m, 48.74m), (49.05m, 48.635m, 49.03m), (49.20m, 48.94m, 49.07m), (49.35m, 48.86m, 49.32m),
            (49.92m, 49.50m, 49.91m), (50.19m, 49.87m, 50.13m), (50.12m, 49.20m, 49.53m), (49.66m, 48.90m, 49.50m),
            (49.88m, 49.43m, 49.75m), (50.19m, 49.725m, 50.03m), (50.36m, 49.26m, 50.31m), (50.57m, 50.09m, 50.52m),
            (50.65m, 50.30m, 50.41m), (50.43m, 49.21m, 49.34m), (49.63m, 48.98m, 49.37m), (50.33m, 49.61m, 50.23m),
            (50.29m, 49.20m, 49.2375m), (50.17m, 49.43m, 49.93m), (49.32m, 48.08m, 48.43m), (48.50m, 47.64m, 48.18m),
            (48.3201m, 41.55m, 46.57m), (46.80m, 44.2833m, 45.41m), (47.80m, 47.31m, 47.77m), (48.39m, 47.20m, 47.72m),
            (48.66m, 47.90m, 48.62m), (48.79m, 47.7301m, 47.85m),
        ];
        decimal[] published =
        [
            0.555000m, 0.593929m, 0.585791m, 0.568949m, 0.615452m, 0.617920m, 0.642354m, 0.674329m, 0.692770m, 0.775429m,
            0.781470m, 1.209229m, 1.302620m, 1.380290m, 1.366698m, 1.336219m, 1.316482m,
        ];
        var bars = rows.Select((r, i) => new Bar(DateTimeOffset.UnixEpoch.AddDays(i), r.Close, r.High, r.Low, r.Close, 0)).ToArray();

        var series = new AverageTrueRange(14).Compute(bars);

        Assert.Equal(13, series.FirstReadyIndex);
        AssertClose(published, series.Values.Skip(13), 0.0000005m);
    }

    [Fact]
    public void Bollinger_bands_match_the_stockcharts_20_day_2_deviation_example()
    {
        decimal[] closes =
        [
            86.1557m, 89.0867m, 88.7829m, 90.3228m, 89.0671m, 91.1453m, 89.4397m, 89.1750m, 86.9302m, 87.6752m, 86.9596m,
            89.4299m, 89.3221m, 88.7241m, 87.4497m, 87.2634m, 89.4985m, 87.9006m, 89.1260m, 90.7043m, 92.9001m, 92.9784m,
            91.8021m, 92.6647m, 92.6843m, 92.3021m, 92.7725m, 92.5373m, 92.9490m, 93.2039m, 91.0669m, 89.8318m, 89.7435m,
            90.3994m, 90.7387m, 88.0177m, 88.0867m, 86.8439m, 90.7781m, 90.5416m, 91.3894m, 90.6500m,
        ];
        (decimal Middle, decimal Deviation, decimal Upper, decimal Lower)[] published =
        [
            (88.707940m, 1.291961m, 91.291862m, 86.124018m), (89.045160m, 1.452054m, 91.949268m, 86.141052m),
            (89.239745m, 1.686425m, 92.612595m, 85.866895m), (89.390705m, 1.771747m, 92.934200m, 85.847210m),
            (89.507800m, 1.902075m, 93.311950m, 85.703650m), (89.688660m, 2.019895m, 93.728450m, 85.648870m),
            (89.746500m, 2.076546m, 93.899592m, 85.593408m), (89.913140m, 2.176557m, 94.266255m, 85.560025m),
            (90.081255m, 2.241921m, 94.565096m, 85.597414m), (90.382195m, 2.202359m, 94.786912m, 85.977478m),
            (90.658630m, 2.192185m, 95.043001m, 86.274259m), (90.863995m, 2.021805m, 94.907605m, 86.820385m),
            (90.884090m, 2.009411m, 94.902912m, 86.865268m), (90.905160m, 1.995080m, 94.895320m, 86.915000m),
            (90.988925m, 1.936044m, 94.861013m, 87.116837m), (91.153375m, 1.760127m, 94.673629m, 87.633121m),
            (91.191090m, 1.682751m, 94.556593m, 87.825587m), (91.120500m, 1.779126m, 94.678752m, 87.562248m),
            (91.067665m, 1.886418m, 94.840502m, 87.294828m), (91.150270m, 1.835059m, 94.820387m, 87.480153m),
            (91.142135m, 1.837377m, 94.816889m, 87.467381m), (91.066600m, 1.794097m, 94.654793m, 87.478407m),
            (90.950180m, 1.741022m, 94.432224m, 87.468136m),
        ];

        var series = new BollingerBands(20, 2m).Compute(closes);

        Assert.Equal(19, series.FirstReadyIndex);
        var actual = series.Values.Skip(19).ToList();
        AssertClose(published.Select(p => p.Middle), actual.Select(v => v.Middle), 0.0000005m);
        AssertClose(published.Select(p => p.Deviation), actual.Select(v => v.StandardDeviation), 0.0000005m);
        AssertClose(published.Select(p => p.Upper), actual.Select(v => v.Upper), 0.000001m);
        AssertClose(published.Select(p => p.Lower), actual.Select(v => v.Lower), 0.000001m);
    }

    [Fact]
    public void Rate_of_change_matches_the_stockcharts_12_day_example()
    {
        decimal[] closes =
        [
            11045.27m, 11167.32m, 11008.61m, 11151.83m, 10926.77m, 10868.12m, 10520.32m, 10380.43m, 10785.14m, 10748.26m,
            10896.91m, 10782.95m, 10620.16m, 10625.83m, 10510.95m, 10444.37m, 10068.01m, 10193.39m, 10066.57m, 10043.75m,
        ];
        decimal[] published = [-3.84879682m, -4.84888048m, -4.52064339m, -6.34389154m, -7.85923013m, -6.20834146m, -4.31308173m, -3.24341092m];

        var series = new RateOfChange(12).Compute(closes);

        Assert.Equal(12, series.FirstReadyIndex);
        AssertClose(published, series.Values.Skip(12), 0.000000005m);
    }

    private static void AssertClose(IEnumerable<decimal> expected, IEnumerable<decimal> actual, decimal tolerance)
    {
        var pairs = expected.Zip(actual).ToList();
        Assert.Equal(expected.Count(), actual.Count());
        Assert.All(pairs.Select((p, i) => (p.First, p.Second, i)), p =>
            Assert.True(Math.Abs(p.First - p.Second) <= tolerance, $"index {p.i}: published {p.First}, computed {p.Second}"));
    }
}
