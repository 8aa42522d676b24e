namespace StockGod.Trading.Screening;

/// <summary>
/// The factors a screen can weigh. Price factors come from daily bars (one month = 21 trading days, one year = 252);
/// fundamental factors from a snapshot, when one exists.
/// </summary>
public enum ScreeningFactor
{
    /// <summary>Return from 3 months ago to 1 month ago: close[t−21] / close[t−63] − 1.</summary>
    Momentum3Months,

    /// <summary>Return from 6 months ago to 1 month ago: close[t−21] / close[t−126] − 1.</summary>
    Momentum6Months,

    /// <summary>Return from 12 months ago to 1 month ago: close[t−21] / close[t−252] − 1.</summary>
    Momentum12Months,

    /// <summary>Wilder's RSI(14) of the closes.</summary>
    Rsi14,

    /// <summary>Latest close / highest high of the last 252 bars − 1 (0 at a new high, negative below it).</summary>
    DistanceFrom52WeekHigh,

    /// <summary>Annualised volatility of the last 60 daily log returns.</summary>
    Volatility60Days,

    /// <summary>Latest close / 200-day SMA − 1.</summary>
    TrendVs200DaySma,

    /// <summary>Mean volume of the last 20 bars / mean volume of the last 100 bars − 1.</summary>
    VolumeTrend,

    /// <summary>Price / earnings; missing when earnings are not positive (a negative P/E does not rank).</summary>
    PriceEarnings,

    EarningsPerShare,

    /// <summary>Dividend yield in percent; a snapshot without one counts as missing, not as zero.</summary>
    DividendYield,

    PriceBook,
}

public static class ScreeningFactors
{
    public static IReadOnlyList<ScreeningFactor> All { get; } = Enum.GetValues<ScreeningFactor>();

    public static bool IsFundamental(this ScreeningFactor factor) => factor >= ScreeningFactor.PriceEarnings;

    /// <summary>How many completed bars a price factor needs (0 for fundamentals).</summary>
    public static int BarsNeeded(this ScreeningFactor factor) => factor switch
    {
        ScreeningFactor.Momentum3Months => 64,
        ScreeningFactor.Momentum6Months => 127,
        ScreeningFactor.Momentum12Months => 253,
        ScreeningFactor.Rsi14 => 15,
        ScreeningFactor.DistanceFrom52WeekHigh => 252,
        ScreeningFactor.Volatility60Days => 61,
        ScreeningFactor.TrendVs200DaySma => 200,
        ScreeningFactor.VolumeTrend => 100,
        _ => 0,
    };
}
