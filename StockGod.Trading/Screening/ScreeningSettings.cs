using System.Collections.Frozen;
using System.Text.Json.Serialization;

namespace StockGod.Trading.Screening;

[JsonConverter(typeof(JsonStringEnumConverter<FactorNormalization>))]
public enum FactorNormalization
{
    /// <summary>Each value's average rank, scaled to −1 (lowest) … +1 (highest); robust to outliers.</summary>
    [JsonStringEnumMemberName("rank")] Rank,

    /// <summary>(value − mean) / population standard deviation, clipped to ±3.</summary>
    [JsonStringEnumMemberName("z_score")] ZScore,
}

/// <summary>
/// How to screen. A factor's score contribution = its weight × its normalised value, so the SIGN of a weight says
/// which direction is good (volatility −0.5: calmer is better). Factors with weight 0 are computed and reported but
/// do not score. A symbol missing a weighted PRICE factor (too little history) is excluded; a missing fundamental
/// counts as neutral (0) and is listed on the symbol, because snapshots have gaps a screen should survive.
/// </summary>
public sealed record ScreeningSettings
{
    /// <summary>
    /// Defaults: trend-following momentum (12-1 months strongest), near the 52-week high, above the 200-day SMA,
    /// calm, not overbought, rising volume, and cheap with a dividend. EPS is reported only: its level is not
    /// comparable across companies.
    /// </summary>
    public static FrozenDictionary<ScreeningFactor, decimal> DefaultWeights { get; } = new Dictionary<ScreeningFactor, decimal>
    {
        [ScreeningFactor.Momentum12Months] = 1.0m,
        [ScreeningFactor.Momentum6Months] = 0.5m,
        [ScreeningFactor.Momentum3Months] = 0.25m,
        [ScreeningFactor.DistanceFrom52WeekHigh] = 0.5m,
        [ScreeningFactor.TrendVs200DaySma] = 0.5m,
        [ScreeningFactor.Volatility60Days] = -0.5m,
        [ScreeningFactor.Rsi14] = -0.25m,
        [ScreeningFactor.VolumeTrend] = 0.25m,
        [ScreeningFactor.PriceEarnings] = -0.25m,
        [ScreeningFactor.DividendYield] = 0.25m,
        [ScreeningFactor.PriceBook] = -0.25m,
        [ScreeningFactor.EarningsPerShare] = 0m,
    }.ToFrozenDictionary();

    /// <summary>The last day whose bar may be used (bars after it are ignored).</summary>
    public required DateOnly AsOf { get; init; }

    public IReadOnlyDictionary<ScreeningFactor, decimal> Weights { get; init; } = DefaultWeights;

    public FactorNormalization Normalization { get; init; } = FactorNormalization.Rank;

    /// <summary>Normalise each factor among the symbol's sector rather than the whole universe.</summary>
    public bool WithinSector { get; init; }

    public int TopN { get; init; } = 25;

    /// <summary>A symbol whose latest bar is older than this many calendar days before <see cref="AsOf"/> is stale.</summary>
    public int MaxStalenessDays { get; init; } = 7;

    /// <summary>The default chunk size for distributed runs (the result does not depend on it).</summary>
    public const int DefaultChunkSize = 50;

    public decimal WeightOf(ScreeningFactor factor) => Weights.GetValueOrDefault(factor);
}
