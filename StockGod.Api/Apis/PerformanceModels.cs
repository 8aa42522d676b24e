using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Validation;

namespace StockGod.Api.Apis;

/// <summary>Trading dates (New York), both inclusive; without them the whole history.</summary>
public sealed record PerformanceQuery(
    [property: FromQuery(Name = "from")] DateOnly? From,
    [property: FromQuery(Name = "to")] DateOnly? To) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (From is not null && To is not null && From > To)
        {
            errors.Add("from", "must not be after 'to'.");
        }
    }
}

/// <summary>One end-of-day snapshot; <c>daily_return</c> is against the previous snapshot in the window (null for the first).</summary>
public sealed record PerformancePoint(
    DateOnly Date,
    decimal TotalValue,
    decimal Cash,
    decimal PositionsValue,
    decimal RealizedPl,
    int PositionCount,
    decimal? DailyReturn);

/// <summary>
/// The deepest fall of total value from a running peak within the window, as a negative fraction (−0.1 = 10 % below
/// the peak), with the peak's and the trough's dates and the first date back at the peak (null while still below).
/// </summary>
public sealed record DrawdownResponse(decimal Depth, DateOnly PeakDate, DateOnly TroughDate, DateOnly? RecoveryDate);

/// <summary>
/// A portfolio's end-of-day snapshots in the window as a time series, with total return (last / first − 1) and
/// maximum drawdown. Returns are fractions rounded to 10 decimal places; summary fields are null without snapshots.
/// </summary>
public sealed record PerformanceResponse(
    Guid PortfolioId,
    DateOnly? From,
    DateOnly? To,
    decimal? StartingValue,
    decimal? EndingValue,
    decimal? TotalReturn,
    DrawdownResponse? MaxDrawdown,
    IReadOnlyList<PerformancePoint> Points);
