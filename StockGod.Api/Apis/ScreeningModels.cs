using System.Text.Json;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Screening;

namespace StockGod.Api.Apis;

/// <summary>
/// Starts a screen now. Every field is optional: the as-of date defaults to the last closed session, the rest to the
/// <c>Screening</c> configuration.
/// </summary>
public sealed record StartScreeningRequest(DateOnly? AsOf, int? TopN, FactorNormalization? Normalization, bool? WithinSector, int? ChunkSize) : IValidatableRequest
{
    public const int MaxTopN = 500;
    public const int MaxChunkSize = 1_000;

    public void Validate(ValidationErrors errors)
    {
        if (TopN is < 1 or > MaxTopN)
        {
            errors.Add("top_n", $"must be between 1 and {MaxTopN}.");
        }

        if (ChunkSize is < 1 or > MaxChunkSize)
        {
            errors.Add("chunk_size", $"must be between 1 and {MaxChunkSize}.");
        }

        if (Normalization is { } n && !Enum.IsDefined(n))
        {
            errors.Add("normalization", "must be 'rank' or 'z_score'.");
        }
    }
}

public sealed record ScreeningRunResponse(
    Guid Id,
    DateOnly AsOf,
    ScreeningRunStatus Status,
    int ChunkCount,
    int ChunksCompleted,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? FailureReason,
    string? ReportLocation);

public sealed record ScreeningSettingsResponse(int TopN, string Normalization, bool WithinSector, IReadOnlyDictionary<string, decimal> Weights);

public sealed record FactorContributionResponse(string Factor, decimal? RawValue, decimal Normalized, decimal Weight, decimal Contribution);

public sealed record ScreeningPickResponse(int Rank, string Symbol, string Sector, decimal Score, IReadOnlyList<FactorContributionResponse> Factors, IReadOnlyList<string> MissingFactors);

public sealed record ScreeningSectorResponse(string Sector, int Scored, int InTop, decimal AverageScore);

public sealed record ScreeningExclusionResponse(string Symbol, string Reason);

/// <summary>A stored screen: the top N with each factor's contribution, the sector breakdown and what was left out.</summary>
public sealed record ScreeningReportResponse(
    Guid RunId,
    DateOnly AsOf,
    DateTimeOffset FinishedAt,
    int UniverseSize,
    int Ranked,
    ScreeningSettingsResponse Settings,
    IReadOnlyList<ScreeningPickResponse> Top,
    IReadOnlyList<ScreeningSectorResponse> Sectors,
    IReadOnlyList<ScreeningExclusionResponse> Excluded)
{
    public static ScreeningReportResponse From(ScreeningRun run)
    {
        var report = run.Report ?? throw new InvalidOperationException($"Screening run {run.Id} has no report.");
        var settings = report.Settings;
        return new(
            run.Id,
            run.AsOf,
            run.FinishedAt!.Value,
            report.UniverseSize,
            report.Ranking.Count,
            new ScreeningSettingsResponse(
                settings.TopN,
                JsonNamingPolicy.SnakeCaseLower.ConvertName(settings.Normalization.ToString()),
                settings.WithinSector,
                ScreeningFactors.All.ToDictionary(FactorName, settings.WeightOf)),
            [.. report.Top.Select(p => new ScreeningPickResponse(
                p.Rank, p.Symbol, p.Sector, p.Score,
                [.. p.Factors.Select(f => new FactorContributionResponse(FactorName(f.Factor), f.RawValue, f.Normalized, f.Weight, f.Contribution))],
                [.. p.MissingFactors.Select(FactorName)]))],
            [.. report.Sectors.Select(s => new ScreeningSectorResponse(s.Sector, s.Scored, s.InTop, s.AverageScore))],
            [.. report.Excluded.Select(e => new ScreeningExclusionResponse(e.Symbol, e.Reason))]);
    }

    /// <summary>The factor's name as the CSV columns spell it (<c>momentum12Months</c>).</summary>
    private static string FactorName(ScreeningFactor factor) => JsonNamingPolicy.CamelCase.ConvertName(factor.ToString());
}
