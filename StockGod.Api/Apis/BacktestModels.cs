using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Validation;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Api.Apis;

/// <summary>
/// A backtest to run: a built-in strategy by name with its parameters (camelCase, as strategies store them), a
/// universe, an inclusive date range, and optional cash, costs, risk limits and risk-free rate (defaults: 100,000, no
/// slippage, no commission, the engine's default limits, 0).
/// </summary>
public sealed record CreateBacktestRequest(
    string? Strategy,
    JsonElement? Parameters,
    IReadOnlyList<string>? Universe,
    DateOnly? Start,
    DateOnly? End,
    decimal? InitialCash,
    decimal? SlippageBps,
    CommissionRequest? Commission,
    RiskLimitsRequest? Risk,
    decimal? RiskFreeRate) : IValidatableRequest
{
    public const int MaxUniverse = 600;
    public const int MaxYears = 30;
    public static readonly DateOnly EarliestStart = new(1970, 1, 1);

    public string ParametersJson => Parameters is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } p ? p.GetRawText() : "{}";

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("strategy", Strategy))
        {
            if (Parameters is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
            {
                errors.Add("parameters", "must be a JSON object.");
            }
            else
            {
                // The registry knows each strategy's parameters and their rules; its field names are the JSON names.
                foreach (var error in StrategyRegistry.Default.Create(Strategy!, ParametersJson).Errors)
                {
                    errors.Add(error.Field switch { "type" => "strategy", "parameters" => "parameters", var field => $"parameters.{field}" }, error.Message);
                }
            }
        }

        if (errors.Required("universe", Universe))
        {
            if (Universe!.Count is 0 or > MaxUniverse)
            {
                errors.Add("universe", $"must hold 1 to {MaxUniverse} symbols.");
            }

            var invalid = Universe.Where(s => s is null || !ValidationErrors.IsSymbol(s)).Take(5).ToList();
            if (invalid.Count > 0)
            {
                errors.Add("universe", $"must hold ticker symbols such as AAPL or BRK.B (not: {string.Join(", ", invalid.Select(s => $"'{s}'"))}).");
            }
        }

        if (errors.Required("start", Start) & errors.Required("end", End))
        {
            if (End < Start)
            {
                errors.Add("end", "must not be before 'start'.");
            }
            else if (End!.Value.DayNumber - Start!.Value.DayNumber > MaxYears * 366)
            {
                errors.Add("end", $"must be within {MaxYears} years of 'start'.");
            }

            if (Start < EarliestStart)
            {
                errors.Add("start", $"must not be before {EarliestStart:yyyy-MM-dd}.");
            }
        }

        errors.Amount("initial_cash", InitialCash);
        if (SlippageBps is < 0m or > 1_000m)
        {
            errors.Add("slippage_bps", "must be between 0 and 1000 basis points.");
        }

        Commission?.Validate(errors);
        Risk?.Validate(errors, "risk");
        if (RiskFreeRate is < -0.1m or > 1m)
        {
            errors.Add("risk_free_rate", "must be an annual fraction between -0.1 and 1 (0.02 = 2 %).");
        }
    }

    public PerShareCommission CommissionSchedule => Commission is null
        ? PerShareCommission.Free
        : new PerShareCommission(Commission.PerShare ?? 0m, Commission.Minimum ?? 0m, Commission.MaxShareOfValue ?? 1m);

    public RiskLimits RiskLimits => Risk?.Over(BacktestSettings.DefaultLimits) ?? BacktestSettings.DefaultLimits;
}

/// <summary>A per-share commission: <c>max(per_share × quantity, minimum)</c>, capped at <c>max_share_of_value</c> of the trade's value (default 1).</summary>
public sealed record CommissionRequest(decimal? PerShare, decimal? Minimum, decimal? MaxShareOfValue)
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("commission.per_share", PerShare) && PerShare is < 0m or > 10m)
        {
            errors.Add("commission.per_share", "must be between 0 and 10.");
        }

        if (Minimum is < 0m or > 1_000m)
        {
            errors.Add("commission.minimum", "must be between 0 and 1000.");
        }

        if (MaxShareOfValue is <= 0m or > 1m)
        {
            errors.Add("commission.max_share_of_value", "must be greater than 0 and at most 1.");
        }
    }
}

/// <summary>The live sizer's limits; each one left out takes the engine's default.</summary>
/// <summary>Paging of the caller's backtests, newest first.</summary>
public sealed record ListBacktestsQuery(
    [property: FromQuery(Name = "cursor")] Guid? Cursor,
    [property: FromQuery(Name = "limit")] int? Limit) : IValidatableRequest
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public void Validate(ValidationErrors errors) => errors.Range("limit", Limit, 1, MaxLimit);
}

public sealed record CommissionResponse(decimal PerShare, decimal Minimum, decimal MaxShareOfValue);

/// <summary>A backtest's request and state. <c>progress</c> is the fraction of trading days simulated (0 to 1).</summary>
public sealed record BacktestRunResponse(
    Guid Id,
    BacktestRunStatus Status,
    decimal Progress,
    int DaysDone,
    int TotalDays,
    bool CancelRequested,
    string Strategy,
    JsonElement Parameters,
    IReadOnlyList<string> Universe,
    DateOnly Start,
    DateOnly End,
    decimal InitialCash,
    decimal SlippageBps,
    CommissionResponse Commission,
    RiskLimitsResponse Risk,
    decimal RiskFreeRate,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    BacktestLinks Links)
{
    public static BacktestRunResponse From(BacktestRun run) => new(
        run.Id,
        run.Status,
        decimal.Round(run.Progress, 4),
        run.DaysDone,
        run.TotalDays,
        run.CancelRequested,
        run.StrategyType,
        run.Parameters.RootElement.Clone(),
        run.Universe,
        run.StartDate,
        run.EndDate,
        run.InitialCash,
        run.SlippageBps,
        new CommissionResponse(run.CommissionPerShare, run.CommissionMinimum, run.CommissionMaxShareOfValue),
        RiskLimitsResponse.From(run.RiskLimits),
        run.RiskFreeRate,
        run.Error,
        run.CreatedAt,
        run.StartedAt,
        run.FinishedAt,
        BacktestLinks.For(run.Id));
}

public sealed record BacktestLinks(string Self, string Result, string Chart, string Cancel)
{
    public static BacktestLinks For(Guid id)
    {
        var self = $"{ApiRouting.Prefix}/backtests/{id}";
        return new BacktestLinks(self, $"{self}/result", $"{self}/chart", $"{self}/cancel");
    }
}

public sealed record BacktestRunPage(IReadOnlyList<BacktestRunResponse> Backtests, Guid? NextCursor);

/// <summary>
/// A completed backtest. Curves and returns are per trading day, the strategy's and the benchmark's on the same days;
/// statistics are fractions (0.12 = 12 %), as documented on PerformanceStatistics.
/// </summary>
public sealed record BacktestResultResponse(
    Guid Id,
    PerformanceStatistics Statistics,
    PerformanceStatistics BenchmarkStatistics,
    IReadOnlyList<EquityPoint> EquityCurve,
    IReadOnlyList<EquityPoint> BenchmarkEquityCurve,
    IReadOnlyList<decimal> DailyReturns,
    IReadOnlyList<decimal> BenchmarkDailyReturns,
    IReadOnlyList<BacktestTrade> Trades,
    IReadOnlyList<BacktestFill> Fills,
    IReadOnlyList<string> UnfilledOrders,
    IReadOnlyList<string> MissingSymbols,
    long BarsProcessed)
{
    public static BacktestResultResponse From(BacktestRunResult r) => new(
        r.RunId, r.Statistics, r.BenchmarkStatistics, r.EquityCurve, r.BenchmarkEquityCurve, r.DailyReturns, r.BenchmarkDailyReturns,
        r.Trades, r.Fills, r.UnfilledOrders, r.MissingSymbols, r.BarsProcessed);
}
