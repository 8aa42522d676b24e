using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockGod.Trading.Events;

/// <summary>
/// Events the Scheduler publishes and the Api relays to SignalR clients, over Redis pub/sub. Every event names the
/// user it belongs to (or is for operators); the Api delivers it to that user's connections only.
/// </summary>
public static class TradingEventChannels
{
    /// <summary>Events of one user (orders, fills, alerts, prices of their symbols).</summary>
    public const string User = "stockgod:events:user";

    /// <summary>Events for operators (job runs).</summary>
    public const string Operators = "stockgod:events:operators";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}

/// <summary>
/// The envelope on the wire: <see cref="Kind"/> names the payload's type (the hub method clients listen to);
/// <see cref="EventId"/> lets the Api replicas, which all receive every message, relay each event once.
/// </summary>
public sealed record TradingEventEnvelope(Guid EventId, string Kind, Guid? UserId, JsonElement Payload, DateTimeOffset PublishedAt)
{
    public static TradingEventEnvelope ForUser<T>(Guid userId, T payload, DateTimeOffset at) where T : ITradingEvent =>
        new(Guid.CreateVersion7(), T.Kind, userId, JsonSerializer.SerializeToElement(payload, TradingEventChannels.Json), at);

    public static TradingEventEnvelope ForOperators<T>(T payload, DateTimeOffset at) where T : ITradingEvent =>
        new(Guid.CreateVersion7(), T.Kind, null, JsonSerializer.SerializeToElement(payload, TradingEventChannels.Json), at);
}

public interface ITradingEvent
{
    static abstract string Kind { get; }
}

public sealed record OrderStatusChanged(Guid PortfolioId, Guid OrderId, string ClientOrderId, string Symbol, OrderStatus Status, decimal FilledQuantity, decimal? AverageFillPrice) : ITradingEvent
{
    public static string Kind => "order_status_changed";
}

public sealed record OrderFilled(Guid PortfolioId, Guid OrderId, string Symbol, OrderSide Side, decimal Quantity, decimal Price, DateTimeOffset ExecutedAt) : ITradingEvent
{
    public static string Kind => "order_filled";
}

public sealed record AlertTriggered(Guid AlertId, string Symbol, decimal Threshold, decimal Price, DateTimeOffset TriggeredAt) : ITradingEvent
{
    public static string Kind => "alert_triggered";
}

public sealed record PriceUpdated(string Symbol, decimal LastPrice, decimal BidPrice, decimal AskPrice, DateTimeOffset Timestamp) : ITradingEvent
{
    public static string Kind => "price_updated";
}

public sealed record JobRunCompleted(string JobName, Guid ExecutionId, string Status, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string? Error) : ITradingEvent
{
    public static string Kind => "job_run_completed";
}
