using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Notifications;

namespace StockGod.Api.Apis;

/// <summary>Newest first; <c>unread=true</c> leaves out what was read; <c>cursor</c> is the previous page's <c>next_cursor</c>.</summary>
public sealed record ListNotificationsQuery(
    [property: FromQuery(Name = "unread")] bool? Unread,
    [property: FromQuery(Name = "cursor")] string? Cursor,
    [property: FromQuery(Name = "limit")] int? Limit) : IValidatableRequest
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public PageCursor? ParsedCursor => Cursor is null ? null : PageCursor.TryParse(Cursor);

    public void Validate(ValidationErrors errors)
    {
        errors.Range("limit", Limit, 1, MaxLimit);
        if (Cursor is not null && PageCursor.TryParse(Cursor) is null)
        {
            errors.Add("cursor", "is not a cursor returned by this endpoint.");
        }
    }
}

public sealed record NotificationResponse(Guid Id, string Kind, string Title, string Body, JsonElement? Data, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public static NotificationResponse From(Notification n) =>
        new(n.Id, n.Kind, n.Title, n.Body, n.Data?.RootElement.Clone(), n.CreatedAt, n.ReadAt);
}

public sealed record NotificationPage(IReadOnlyList<NotificationResponse> Notifications, string? NextCursor);

public sealed record MarkAllReadResponse(int Marked);
