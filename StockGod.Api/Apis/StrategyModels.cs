using System.Text.Json;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Api.Apis;

/// <summary>
/// A strategy for a portfolio. <c>type</c> is a registered strategy (sma_crossover, rsi_mean_reversion,
/// momentum_rotation, donchian_breakout); <c>parameters</c> is a JSON object with that strategy's own parameter names
/// (camelCase, e.g. <c>{"fastPeriod": 10, "slowPeriod": 30}</c>; missing ones take the strategy's defaults).
/// </summary>
public sealed record CreateStrategyRequest(
    string? Name,
    string? Type,
    JsonElement? Parameters,
    IReadOnlyList<string>? Symbols,
    RiskLimitsRequest? RiskLimits,
    bool? Enabled) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("name", Name))
        {
            errors.Length("name", Name, 1, StrategyDefinition.MaxNameLength);
        }

        if (errors.Required("type", Type))
        {
            errors.Length("type", Type, 1, StrategyDefinition.MaxStrategyTypeLength);
        }

        StrategyRules.ValidateParameters(errors, Parameters);
        if (errors.Required("symbols", Symbols) && Symbols is not null)
        {
            StrategyRules.ValidateUniverse(errors, Symbols);
        }

        RiskLimits?.Validate(errors, "risk_limits");
    }
}

/// <summary>A partial update: only the fields sent change. <c>symbols</c> replaces the whole universe.</summary>
public sealed record UpdateStrategyRequest(
    JsonElement? Parameters,
    IReadOnlyList<string>? Symbols,
    RiskLimitsRequest? RiskLimits,
    bool? Enabled) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        StrategyRules.ValidateParameters(errors, Parameters);
        if (Symbols is not null)
        {
            StrategyRules.ValidateUniverse(errors, Symbols);
        }

        RiskLimits?.Validate(errors, "risk_limits");
    }
}

internal static class StrategyRules
{
    public const int MaxUniverseSize = 500;

    public static void ValidateParameters(ValidationErrors errors, JsonElement? parameters)
    {
        if (parameters is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            errors.Add("parameters", "must be a JSON object.");
        }
    }

    public static void ValidateUniverse(ValidationErrors errors, IReadOnlyList<string> symbols)
    {
        if (symbols.Count is 0 or > MaxUniverseSize)
        {
            errors.Add("symbols", $"must hold 1 to {MaxUniverseSize} symbols.");
        }

        for (var i = 0; i < symbols.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(symbols[i]) || !ValidationErrors.IsSymbol(symbols[i]))
            {
                errors.Add($"symbols[{i}]", "must be a ticker symbol such as AAPL or BRK.B.");
            }
        }
    }

    /// <summary>
    /// Checks type and parameters against the registry: an unknown type or a parameter the strategy refuses is a
    /// per-field error (<c>type</c>, <c>parameters.fastPeriod</c>, ...).
    /// </summary>
    public static Dictionary<string, string[]>? CheckAgainstRegistry(StrategyRegistry registry, string type, JsonElement? parameters)
    {
        var raw = parameters is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : null;
        var creation = registry.Create(type.Trim(), raw);
        if (creation.Succeeded)
        {
            return null;
        }

        return creation.Errors
            .GroupBy(e => e.Field is "type" or "parameters" ? e.Field : $"parameters.{e.Field}", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
    }
}

public sealed record StrategyResponse(
    Guid Id,
    Guid PortfolioId,
    string Name,
    string Type,
    JsonElement Parameters,
    IReadOnlyList<string> Symbols,
    RiskLimitsResponse RiskLimits,
    bool Enabled,
    DateTimeOffset? LastEvaluatedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static StrategyResponse From(StrategyDefinition s) => new(
        s.Id, s.PortfolioId, s.Name, s.StrategyType, s.Parameters.RootElement.Clone(), s.Symbols, RiskLimitsResponse.From(s.RiskLimits),
        s.Enabled, s.LastEvaluatedAt, s.CreatedAt, s.UpdatedAt);
}

/// <summary>
/// A dry run: every symbol's signal (action buy, sell or hold; strength 0..1; the reason in words), the price it was
/// sized at, and for a buy or sell the order the strategy would place now (side and whole-share qty) or why none.
/// </summary>
public sealed record StrategyEvaluationResponse(Guid StrategyId, DateTimeOffset AsOf, IReadOnlyList<SignalResponse> Signals)
{
    public static StrategyEvaluationResponse From(
        Guid strategyId, DateTimeOffset asOf, IReadOnlyList<StrategySignal> signals, IReadOnlyDictionary<string, decimal> prices, IReadOnlyList<SizingDecision> decisions)
    {
        var decisionOf = decisions.ToDictionary(d => d.Signal.Symbol, StringComparer.Ordinal);
        return new StrategyEvaluationResponse(strategyId, asOf, [.. signals.Select(signal =>
        {
            var decision = decisionOf.GetValueOrDefault(signal.Symbol);
            return new SignalResponse(
                signal.Symbol,
                signal.Action.ToString().ToLowerInvariant(),
                signal.Strength,
                signal.Reason,
                prices.TryGetValue(signal.Symbol, out var price) ? price : null,
                decision?.Order is { } order ? new OrderIntentResponse(order.Side, order.Quantity) : null,
                decision?.Rejection);
        })]);
    }
}

public sealed record SignalResponse(string Symbol, string Action, decimal Strength, string Reason, decimal? Price, OrderIntentResponse? Order, string? NoOrderReason);

public sealed record OrderIntentResponse(OrderSide Side, decimal Qty);
