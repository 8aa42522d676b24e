using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Exports;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Snapshots;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Domain.Watchlists;
using StockGod.Trading.Risk;

namespace StockGod.Api.Apis;

public sealed record ExportQuery([property: FromQuery(Name = "format")] string? Format) : IValidatableRequest
{
    public ExportFormat Parsed => Format is null || Format.Equals("csv", StringComparison.OrdinalIgnoreCase) ? ExportFormat.Csv : ExportFormat.Json;

    public void Validate(ValidationErrors errors)
    {
        if (Format is not null && !Format.Equals("csv", StringComparison.OrdinalIgnoreCase) && !Format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("format", "must be csv or json.");
        }
    }
}

/// <summary>One fill of a portfolio's order: what was traded, at what price and cost, and the P&amp;L it realized.</summary>
public sealed record TradeRow(
    Guid Id,
    Guid OrderId,
    string? ClientOrderId,
    string ExecutionId,
    string Symbol,
    OrderSide Side,
    decimal Qty,
    decimal Price,
    decimal Commission,
    decimal RealizedPl,
    DateTimeOffset ExecutedAt)
{
    public static readonly IReadOnlyList<CsvColumn<TradeRow>> Columns =
    [
        new("id", t => CsvFormat.Of(t.Id)),
        new("order_id", t => CsvFormat.Of(t.OrderId)),
        new("client_order_id", t => t.ClientOrderId),
        new("execution_id", t => t.ExecutionId),
        new("symbol", t => t.Symbol),
        new("side", t => t.Side == OrderSide.Buy ? "buy" : "sell"),
        new("qty", t => CsvFormat.Of(t.Qty)),
        new("price", t => CsvFormat.Of(t.Price)),
        new("commission", t => CsvFormat.Of(t.Commission)),
        new("realized_pl", t => CsvFormat.Of(t.RealizedPl)),
        new("executed_at", t => CsvFormat.Of(t.ExecutedAt)),
    ];
}

public static class PositionColumns
{
    public static readonly IReadOnlyList<CsvColumn<PositionResponse>> All =
    [
        new("id", p => CsvFormat.Of(p.Id)),
        new("symbol", p => p.Symbol),
        new("qty", p => CsvFormat.Of(p.Quantity)),
        new("average_entry_price", p => CsvFormat.Of(p.AverageEntryPrice)),
        new("cost_basis", p => CsvFormat.Of(p.CostBasis)),
        new("last_price", p => CsvFormat.Of(p.LastPrice)),
        new("market_value", p => CsvFormat.Of(p.MarketValue)),
        new("unrealized_pl", p => CsvFormat.Of(p.UnrealizedPl)),
        new("realized_pl", p => CsvFormat.Of(p.RealizedPl)),
        new("opened_at", p => CsvFormat.Of(p.OpenedAt)),
        new("updated_at", p => CsvFormat.Of(p.UpdatedAt)),
    ];
}

public sealed record StrategyExport(
    Guid Id, Guid PortfolioId, string Name, string StrategyType, JsonDocument Parameters, IReadOnlyList<string> Symbols, RiskLimits RiskLimits,
    bool Enabled, DateTimeOffset? LastEvaluatedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static StrategyExport From(StrategyDefinition s) =>
        new(s.Id, s.PortfolioId, s.Name, s.StrategyType, s.Parameters, s.Symbols, s.RiskLimits, s.Enabled, s.LastEvaluatedAt, s.CreatedAt, s.UpdatedAt);
}

public sealed record WatchlistExport(Guid Id, string Name, IReadOnlyList<string> Symbols, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WatchlistExport From(Watchlist w) =>
        new(w.Id, w.Name, [.. w.Items.OrderBy(i => i.AddedAt).Select(i => i.Symbol)], w.CreatedAt, w.UpdatedAt);
}

public sealed record PriceAlertExport(
    Guid Id, string Symbol, PriceAlertCondition Condition, decimal Threshold, decimal? ReferencePrice, bool Active,
    DateTimeOffset CreatedAt, DateTimeOffset? TriggeredAt, decimal? TriggeredPrice)
{
    public static PriceAlertExport From(PriceAlert a) =>
        new(a.Id, a.Symbol, a.Condition, a.Threshold, a.ReferencePrice, a.Active, a.CreatedAt, a.TriggeredAt, a.TriggeredPrice);
}

public sealed record NotificationExport(Guid Id, string Kind, string Title, string Body, JsonDocument? Data, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationExport From(Notification n) => new(n.Id, n.Kind, n.Title, n.Body, n.Data, n.CreatedAt, n.ReadAt);
}

public sealed record SnapshotExport(
    Guid Id, Guid PortfolioId, DateOnly TradingDate, decimal TotalValue, decimal Cash, decimal PositionsValue, decimal RealizedPl, int PositionCount, DateTimeOffset TakenAt)
{
    public static SnapshotExport From(PortfolioSnapshot s) =>
        new(s.Id, s.PortfolioId, s.TradingDate, s.TotalValue, s.Cash, s.PositionsValue, s.RealizedProfitLoss, s.PositionCount, s.TakenAt);
}
