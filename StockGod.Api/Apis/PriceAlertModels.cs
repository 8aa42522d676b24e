using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Alerts;

namespace StockGod.Api.Apis;

/// <summary>
/// A one-shot price alert. above/below: <c>threshold</c> is a price. percent_change: <c>threshold</c> is a percentage
/// (5 = 5 %) of movement either way from <c>reference_price</c>, which defaults to the symbol's last price now.
/// </summary>
public sealed record CreatePriceAlertRequest(string? Symbol, PriceAlertCondition? Condition, decimal? Threshold, decimal? ReferencePrice) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("symbol", Symbol))
        {
            errors.Symbol("symbol", Symbol);
        }

        errors.Required("condition", Condition);
        if (errors.Required("threshold", Threshold))
        {
            PriceAlertRules.ValidateThreshold(errors, Condition, Threshold);
        }

        errors.Amount("reference_price", ReferencePrice);
        if (ReferencePrice is not null && Condition is not null and not PriceAlertCondition.PercentChange)
        {
            errors.Add("reference_price", "is only used by percent_change alerts.");
        }
    }
}

/// <summary>A partial update: a new threshold or reference price; <c>active</c> true re-arms a fired alert, false disarms it.</summary>
public sealed record UpdatePriceAlertRequest(decimal? Threshold, decimal? ReferencePrice, bool? Active) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        // The percentage bound needs the alert's condition, which the endpoint checks; here only the shared bounds.
        errors.Amount("threshold", Threshold);
        errors.Amount("reference_price", ReferencePrice);
    }
}

public sealed record ListPriceAlertsQuery([property: FromQuery(Name = "active")] bool? Active);

internal static class PriceAlertRules
{
    public const int MaxAlertsPerUser = 200;
    public const decimal MaxPercent = 1000m;

    public static void ValidateThreshold(ValidationErrors errors, PriceAlertCondition? condition, decimal? threshold)
    {
        if (condition == PriceAlertCondition.PercentChange && threshold is <= 0 or > MaxPercent)
        {
            errors.Add("threshold", $"must be a percentage greater than 0 and at most {MaxPercent}.");
            return;
        }

        errors.Amount("threshold", threshold);
    }
}

public sealed record PriceAlertResponse(
    Guid Id,
    string Symbol,
    PriceAlertCondition Condition,
    decimal Threshold,
    decimal? ReferencePrice,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset? TriggeredAt,
    decimal? TriggeredPrice)
{
    public static PriceAlertResponse From(PriceAlert a) =>
        new(a.Id, a.Symbol, a.Condition, a.Threshold, a.ReferencePrice, a.Active, a.CreatedAt, a.TriggeredAt, a.TriggeredPrice);
}
