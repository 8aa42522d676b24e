using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class NotificationsApi
{
    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("notifications", "Notifications");
        api.MapGet("/", ListAsync).WithSummary("The caller's notifications, newest first, cursor-paged; unread=true for unread ones only");
        api.MapPost("/{notificationId:guid}/read", MarkReadAsync).WithSummary("Mark one notification read (reading it again keeps the first read time)");
        api.MapPost("/read-all", MarkAllReadAsync).WithSummary("Mark every unread notification of the caller read; answers how many were marked");
        return api;
    }

    public static async Task<Results<Ok<NotificationPage>, ValidationProblem>> ListAsync(
        [AsParameters] ListNotificationsQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var notifications = db.Notifications.AsNoTracking().Where(n => n.UserId == userId);
        if (query.Unread == true)
        {
            notifications = notifications.Where(n => n.ReadAt == null);
        }

        if (query.ParsedCursor is { } cursor)
        {
            notifications = notifications.Where(n => n.CreatedAt < cursor.CreatedAt || (n.CreatedAt == cursor.CreatedAt && n.Id.CompareTo(cursor.Id) < 0));
        }

        var limit = query.Limit ?? ListNotificationsQuery.DefaultLimit;
        var page = await notifications.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var next = page.Count > limit ? new PageCursor(page[limit - 1].CreatedAt, page[limit - 1].Id).ToString() : null;
        return TypedResults.Ok(new NotificationPage([.. page.Take(limit).Select(NotificationResponse.From)], next));
    }

    public static async Task<Results<Ok<NotificationResponse>, ProblemHttpResult>> MarkReadAsync(
        Guid notificationId, ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var notification = await db.Notifications.FirstOrDefaultAsync(n => n.Id == notificationId && n.UserId == userId, cancellationToken);
        if (notification is null)
        {
            return Problems.NotFound("The notification");
        }

        notification.MarkRead(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);

        // Answer the read time as stored (PostgreSQL keeps microseconds), so this answer and later reads agree.
        await db.Entry(notification).ReloadAsync(cancellationToken);
        return TypedResults.Ok(NotificationResponse.From(notification));
    }

    public static async Task<Ok<MarkAllReadResponse>> MarkAllReadAsync(ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var now = time.GetUtcNow();

        // One statement, the same rule as Notification.MarkRead: only unread ones get a read time.
        var marked = await db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(n => n.ReadAt, (DateTimeOffset?)now), cancellationToken);
        return TypedResults.Ok(new MarkAllReadResponse(marked));
    }
}
