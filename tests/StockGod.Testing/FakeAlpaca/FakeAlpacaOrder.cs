namespace StockGod.Testing.FakeAlpaca;

/// <summary>
/// An order exactly as Alpaca's Order object serialises (trading-api.json, schema <c>Order</c>): snake_case names,
/// decimals as strings, every field present (nulls included). Immutable: the fake replaces it on every change.
/// </summary>
public sealed record FakeAlpacaOrder
{
    public required Guid Id { get; init; }
    public required string ClientOrderId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? FilledAt { get; init; }
    public DateTimeOffset? ExpiredAt { get; init; }
    public DateTimeOffset? CanceledAt { get; init; }
    public DateTimeOffset? FailedAt { get; init; }
    public DateTimeOffset? ReplacedAt { get; init; }
    public Guid? ReplacedBy { get; init; }
    public Guid? Replaces { get; init; }
    public required Guid AssetId { get; init; }
    public required string Symbol { get; init; }
    public string AssetClass { get; init; } = "us_equity";
    public decimal? Notional { get; init; }
    public decimal? Qty { get; init; }
    public decimal FilledQty { get; init; }
    public decimal? FilledAvgPrice { get; init; }
    /// <summary>Alpaca answers "" for simple orders.</summary>
    public string OrderClass { get; init; } = "";
    /// <summary>Deprecated duplicate of <see cref="Type"/>, still sent.</summary>
    public string OrderType => Type;
    public required string Type { get; init; }
    public required string Side { get; init; }
    public required string TimeInForce { get; init; }
    public decimal? LimitPrice { get; init; }
    public decimal? StopPrice { get; init; }
    public required string Status { get; init; }
    public bool ExtendedHours { get; init; }
    public IReadOnlyList<FakeAlpacaOrder>? Legs { get; init; }
    public decimal? TrailPercent { get; init; }
    public decimal? TrailPrice { get; init; }
    public decimal? Hwm { get; init; }
    public string? Subtag { get; init; }
    public string? Source { get; init; }

    /// <summary>Statuses after which nothing more happens (the rest count as <c>status=open</c>).</summary>
    public bool IsTerminal => Status is "filled" or "canceled" or "expired" or "rejected" or "replaced";

    public decimal RemainingQty => (Qty ?? 0m) - FilledQty;
}

/// <summary>A holding of the fake account. Quantity is negative for a short.</summary>
public sealed record FakeAlpacaPosition(string Symbol, Guid AssetId, decimal Qty, decimal AvgEntryPrice);

/// <summary>One trading day of the fake calendar; times are New York wall-clock.</summary>
public sealed record FakeAlpacaCalendarDay(DateOnly Date, TimeOnly Open, TimeOnly Close);
