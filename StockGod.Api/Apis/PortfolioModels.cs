using StockGod.Api.Validation;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Positions;

namespace StockGod.Api.Apis;

public sealed record CreatePortfolioRequest(string? Name, TradingMode? TradingMode, decimal? StartingCash, bool? ConfirmLive, bool? AllowShorting) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("name", Name))
        {
            errors.Length("name", Name, 1, Portfolio.MaxNameLength);
        }

        errors.Amount("starting_cash", StartingCash, allowZero: true);
        if (TradingMode == Trading.Brokerage.TradingMode.Live && ConfirmLive != true)
        {
            errors.Add("confirm_live", "must be true to create a portfolio that trades real money.");
        }
    }
}

public sealed record RenamePortfolioRequest(string? Name) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("name", Name))
        {
            errors.Length("name", Name, 1, Portfolio.MaxNameLength);
        }
    }
}

/// <summary>Switches live trading of a live portfolio on or off; switching it on needs the explicit confirmation.</summary>
public sealed record SetLiveTradingRequest(bool? Enabled, bool? Confirm) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("enabled", Enabled);
        if (Enabled == true && Confirm != true)
        {
            errors.Add("confirm", "must be true to let this portfolio trade real money.");
        }
    }
}

/// <summary>The new trading mode of a portfolio; moving to live needs the explicit confirmation.</summary>
public sealed record ChangeTradingModeRequest(TradingMode? TradingMode, bool? ConfirmLive) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("trading_mode", TradingMode);
        if (TradingMode == Trading.Brokerage.TradingMode.Live && ConfirmLive != true)
        {
            errors.Add("confirm_live", "must be true to move this portfolio to trading real money.");
        }
    }
}

public sealed record PositionResponse(
    Guid Id,
    string Symbol,
    decimal Quantity,
    decimal AverageEntryPrice,
    decimal CostBasis,
    decimal? LastPrice,
    decimal? MarketValue,
    decimal? UnrealizedPl,
    decimal RealizedPl,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt)
{
    public static PositionResponse From(Position p) =>
        new(p.Id, p.Symbol, p.Quantity, p.AverageEntryPrice, p.CostBasis, p.LastPrice, p.MarketValue, p.UnrealizedProfitLoss, p.RealizedProfitLoss, p.OpenedAt, p.UpdatedAt);
}

public sealed record PortfolioSummaryResponse(Guid Id, string Name, TradingMode TradingMode, bool LiveTradingEnabled, decimal Cash, decimal Equity, DateTimeOffset CreatedAt);

/// <summary>
/// A portfolio with its positions and P&amp;L: total P&amp;L is equity against starting cash; day P&amp;L is equity
/// against the last end-of-day snapshot before today (null until one exists).
/// </summary>
public sealed record PortfolioResponse(
    Guid Id,
    string Name,
    TradingMode TradingMode,
    bool LiveTradingEnabled,
    bool AllowShorting,
    decimal StartingCash,
    decimal Cash,
    decimal PositionsValue,
    decimal Equity,
    decimal RealizedPl,
    decimal UnrealizedPl,
    decimal TotalPl,
    decimal? DayPl,
    decimal TotalCommissions,
    IReadOnlyList<PositionResponse> Positions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PortfolioResponse From(Portfolio p, decimal? previousCloseEquity) => From(new PortfolioRow(
        p.Id, p.Name, p.TradingMode, p.LiveTradingEnabled, p.AllowShorting, p.StartingCash, p.Cash, p.RealizedProfitLoss, p.TotalCommissions,
        p.CreatedAt, p.UpdatedAt, [.. p.Positions.Select(PositionResponse.From)], previousCloseEquity));

    /// <summary>The answer from what was read; positions value and equity as <see cref="Portfolio.PositionsValue"/> and <see cref="Portfolio.Equity"/>.</summary>
    public static PortfolioResponse From(PortfolioRow p)
    {
        var positionsValue = 0m;
        var unrealized = 0m;
        foreach (var position in p.Positions)
        {
            positionsValue += position.MarketValue ?? position.CostBasis;
            unrealized += position.UnrealizedPl ?? 0m;
        }

        // Ordinal, whatever the database's collation.
        p.Positions.Sort(static (a, b) => string.CompareOrdinal(a.Symbol, b.Symbol));
        var equity = p.Cash + positionsValue;
        return new(
            p.Id,
            p.Name,
            p.TradingMode,
            p.LiveTradingEnabled,
            p.AllowShorting,
            p.StartingCash,
            p.Cash,
            positionsValue,
            equity,
            p.RealizedPl,
            unrealized,
            equity - p.StartingCash,
            p.PreviousCloseEquity is { } close ? equity - close : null,
            p.TotalCommissions,
            p.Positions,
            p.CreatedAt,
            p.UpdatedAt);
    }
}

/// <summary>
/// A portfolio as the Api reads it to answer (see <see cref="PortfolioServices.ReadOwnedAsync"/>), with the total value
/// of the last snapshot before today (null until one exists).
/// </summary>
public sealed record PortfolioRow(
    Guid Id,
    string Name,
    TradingMode TradingMode,
    bool LiveTradingEnabled,
    bool AllowShorting,
    decimal StartingCash,
    decimal Cash,
    decimal RealizedPl,
    decimal TotalCommissions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    List<PositionResponse> Positions,
    decimal? PreviousCloseEquity);
