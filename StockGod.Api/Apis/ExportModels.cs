using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Exports;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Snapshots;

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

/// <summary>A portfolio snapshot as exported (the Api answers snapshots only as a performance series).</summary>
public sealed record SnapshotExport(
    Guid Id, Guid PortfolioId, DateOnly TradingDate, decimal TotalValue, decimal Cash, decimal PositionsValue, decimal RealizedPl, int PositionCount, DateTimeOffset TakenAt)
{
    public static SnapshotExport From(PortfolioSnapshot s) =>
        new(s.Id, s.PortfolioId, s.TradingDate, s.TotalValue, s.Cash, s.PositionsValue, s.RealizedProfitLoss, s.PositionCount, s.TakenAt);
}
