using System.Collections.Immutable;
using System.Globalization;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Indicators;

namespace StockGod.Trading.Screening;

/// <summary>One symbol's raw factor values (null: missing), indexed by <see cref="ScreeningFactor"/>.</summary>
public sealed record SymbolFactorValues(string Symbol, string Sector, int Bars, IReadOnlyList<decimal?> Values)
{
    public decimal? this[ScreeningFactor factor] => Values[(int)factor];
}

/// <summary>A symbol left out of a screen, and why.</summary>
public sealed record ScreeningExclusion(string Symbol, string Reason);

/// <summary>What one chunk of the universe produced: raw values of the symbols it could score, and the exclusions.</summary>
public sealed record ScreeningChunkResult(IReadOnlyList<SymbolFactorValues> Symbols, IReadOnlyList<ScreeningExclusion> Excluded);

/// <summary>
/// The distributable half of a screen: raw factor values for a subset of the universe from daily bars up to the
/// as-of day and the fundamentals snapshot. Pure (no clock, no I/O, nothing shared between symbols), so any worker
/// can compute any chunk, and a retried chunk gives the same values.
/// </summary>
public static class ScreeningChunk
{
    private const int Month = 21;
    private const int Year = 252;

    public static ScreeningChunkResult Compute(
        IReadOnlyList<UniverseMember> members,
        IReadOnlyDictionary<string, ImmutableArray<Bar>> barsBySymbol,
        IReadOnlyDictionary<string, Fundamentals>? fundamentals,
        ScreeningSettings settings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(barsBySymbol);
        ArgumentNullException.ThrowIfNull(settings);

        var (needed, neededFor) = HistoryNeeded(settings);
        var endOfAsOf = NewYorkTime.StartOfDay(settings.AsOf.AddDays(1));
        var scored = new List<SymbolFactorValues>(members.Count);
        var excluded = new List<ScreeningExclusion>();
        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!barsBySymbol.TryGetValue(member.Symbol, out var all) || all.IsDefaultOrEmpty)
            {
                excluded.Add(new ScreeningExclusion(member.Symbol, "missing data: no daily bars"));
                continue;
            }

            var bars = all.AsSpan()[..BarRange.FirstAtOrAfter(all.AsSpan(), endOfAsOf)];
            if (bars.Length == 0)
            {
                excluded.Add(new ScreeningExclusion(member.Symbol, Text($"missing data: no daily bar on or before {settings.AsOf:yyyy-MM-dd}")));
                continue;
            }

            var lastDay = NewYorkTime.DateOf(bars[^1].Timestamp);
            if (lastDay.AddDays(settings.MaxStalenessDays) < settings.AsOf)
            {
                excluded.Add(new ScreeningExclusion(member.Symbol, Text($"missing data: latest bar is from {lastDay:yyyy-MM-dd}, more than {settings.MaxStalenessDays} days before {settings.AsOf:yyyy-MM-dd}")));
                continue;
            }

            if (bars.Length < needed)
            {
                excluded.Add(new ScreeningExclusion(member.Symbol, Text($"too little history: {bars.Length} bars, {needed} needed for {neededFor}")));
                continue;
            }

            var snapshot = fundamentals?.GetValueOrDefault(member.Symbol);
            var sector = member.Sector == UniverseMember.UnknownSector && snapshot?.Sector is { } known ? known : member.Sector;
            scored.Add(new SymbolFactorValues(member.Symbol, sector, bars.Length, Values(bars, snapshot)));
        }

        return new ScreeningChunkResult(scored, excluded);
    }

    /// <summary>The longest history a weighted price factor needs, and which factor that is.</summary>
    private static (int Bars, ScreeningFactor? Factor) HistoryNeeded(ScreeningSettings settings)
    {
        (int, ScreeningFactor?) longest = (1, null);
        foreach (var factor in ScreeningFactors.All)
        {
            if (settings.WeightOf(factor) != 0m && factor.BarsNeeded() > longest.Item1)
            {
                longest = (factor.BarsNeeded(), factor);
            }
        }

        return longest;
    }

    private static decimal?[] Values(ReadOnlySpan<Bar> bars, Fundamentals? snapshot)
    {
        var values = new decimal?[ScreeningFactors.All.Count];
        var n = bars.Length;
        var close = bars[^1].Close;

        values[(int)ScreeningFactor.Momentum3Months] = Momentum(bars, 3);
        values[(int)ScreeningFactor.Momentum6Months] = Momentum(bars, 6);
        values[(int)ScreeningFactor.Momentum12Months] = Momentum(bars, 12);

        if (n >= ScreeningFactor.Rsi14.BarsNeeded())
        {
            var rsi = new RelativeStrengthIndex(14);
            foreach (var bar in bars)
            {
                rsi.Update(bar.Close);
            }

            values[(int)ScreeningFactor.Rsi14] = rsi.Value;
        }

        if (n >= Year)
        {
            var high = decimal.MinValue;
            foreach (var bar in bars[^Year..])
            {
                high = Math.Max(high, bar.High);
            }

            values[(int)ScreeningFactor.DistanceFrom52WeekHigh] = (close / high) - 1m;
        }

        if (n >= ScreeningFactor.Volatility60Days.BarsNeeded())
        {
            var volatility = new RollingVolatility(60);
            foreach (var bar in bars[^61..])
            {
                volatility.Update(bar.Close);
            }

            values[(int)ScreeningFactor.Volatility60Days] = volatility.Value;
        }

        if (n >= 200)
        {
            var sma = new SimpleMovingAverage(200);
            foreach (var bar in bars[^200..])
            {
                sma.Update(bar.Close);
            }

            values[(int)ScreeningFactor.TrendVs200DaySma] = (close / sma.Value) - 1m;
        }

        if (n >= 100)
        {
            var recent = MeanVolume(bars[^20..]);
            var longer = MeanVolume(bars[^100..]);
            values[(int)ScreeningFactor.VolumeTrend] = longer > 0m ? (recent / longer) - 1m : null;
        }

        if (snapshot is not null)
        {
            values[(int)ScreeningFactor.PriceEarnings] = snapshot.PriceEarnings > 0m ? snapshot.PriceEarnings : null;
            values[(int)ScreeningFactor.EarningsPerShare] = snapshot.EarningsPerShare;
            values[(int)ScreeningFactor.DividendYield] = snapshot.DividendYield;
            values[(int)ScreeningFactor.PriceBook] = snapshot.PriceBook > 0m ? snapshot.PriceBook : null;
        }

        return values;
    }

    /// <summary>Return from <paramref name="months"/> months ago to one month ago (the last month skipped: short-term reversal).</summary>
    private static decimal? Momentum(ReadOnlySpan<Bar> bars, int months)
    {
        var start = bars.Length - 1 - (months * Month);
        if (start < 0)
        {
            return null;
        }

        var from = bars[start].Close;
        return from > 0m ? (bars[^(Month + 1)].Close / from) - 1m : null;
    }

    private static decimal MeanVolume(ReadOnlySpan<Bar> bars)
    {
        decimal sum = 0m;
        foreach (var bar in bars)
        {
            sum += bar.Volume;
        }

        return sum / bars.Length;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
