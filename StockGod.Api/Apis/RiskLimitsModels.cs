using StockGod.Api.Validation;
using StockGod.Trading.Risk;

namespace StockGod.Api.Apis;

/// <summary>
/// Risk limits of a strategy or a backtest (the same sizing and risk layer); fractions are of equity (0.1 = 10 %).
/// On create, missing fields take <see cref="Defaults"/>; on update, missing fields keep their current value.
/// </summary>
public sealed record RiskLimitsRequest(decimal? MaxPositionFraction, decimal? MaxOrderValue, decimal? CashBufferFraction, int? MaxOpenPositions)
{
    public const int MaxOpenPositionsLimit = 1_000;

    public static readonly RiskLimits Defaults = new(MaxPositionFraction: 0.10m, MaxOrderValue: 10_000m, CashBufferFraction: 0.05m, MaxOpenPositions: 10);

    /// <param name="errors">Where the errors go.</param>
    /// <param name="field">The JSON name of the limits in the enclosing request, prefixed to each error's field.</param>
    public void Validate(ValidationErrors errors, string field)
    {
        if (MaxPositionFraction is <= 0 or > 1)
        {
            errors.Add($"{field}.max_position_fraction", "must be greater than 0 and at most 1.");
        }

        errors.Amount($"{field}.max_order_value", MaxOrderValue);
        if (CashBufferFraction is < 0 or >= 1)
        {
            errors.Add($"{field}.cash_buffer_fraction", "must be at least 0 and less than 1.");
        }

        errors.Range($"{field}.max_open_positions", MaxOpenPositions, 1, MaxOpenPositionsLimit);
    }

    public RiskLimits Over(RiskLimits current) => new(
        MaxPositionFraction ?? current.MaxPositionFraction,
        MaxOrderValue ?? current.MaxOrderValue,
        CashBufferFraction ?? current.CashBufferFraction,
        MaxOpenPositions ?? current.MaxOpenPositions);
}

public sealed record RiskLimitsResponse(decimal MaxPositionFraction, decimal MaxOrderValue, decimal CashBufferFraction, int MaxOpenPositions)
{
    public static RiskLimitsResponse From(RiskLimits r) => new(r.MaxPositionFraction, r.MaxOrderValue, r.CashBufferFraction, r.MaxOpenPositions);
}
