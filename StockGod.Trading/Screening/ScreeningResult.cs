namespace StockGod.Trading.Screening;

/// <summary>One factor of a ranked symbol: its raw value, normalised value, weight and contribution (weight × normalised).</summary>
public sealed record FactorContribution(ScreeningFactor Factor, decimal? RawValue, decimal Normalized, decimal Weight, decimal Contribution);

/// <summary>A scored symbol; <see cref="MissingFactors"/> lists weighted fundamentals it had no value for (scored neutral).</summary>
public sealed record RankedSymbol(
    int Rank,
    string Symbol,
    string Sector,
    decimal Score,
    IReadOnlyList<FactorContribution> Factors,
    IReadOnlyList<ScreeningFactor> MissingFactors);

/// <summary>How a sector fared: symbols scored, how many made the top N, and their average score.</summary>
public sealed record SectorBreakdown(string Sector, int Scored, int InTop, decimal AverageScore);

/// <summary>A finished screen: the top N, the whole ranking, the sector breakdown and every exclusion with its reason.</summary>
public sealed record ScreeningResult(
    DateOnly AsOf,
    ScreeningSettings Settings,
    int UniverseSize,
    IReadOnlyList<RankedSymbol> Top,
    IReadOnlyList<RankedSymbol> Ranking,
    IReadOnlyList<SectorBreakdown> Sectors,
    IReadOnlyList<ScreeningExclusion> Excluded);
