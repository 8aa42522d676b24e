using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StockGod.Api.Apis;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Exports;

/// <summary>
/// Everything StockGod holds about one user as one JSON document (data portability): the profile, each portfolio with
/// its positions, orders, fills, strategies and snapshots, then watchlists, alerts and notifications. Secrets stay out:
/// no password hash, no API keys or their hashes, no broker credentials. Each collection is streamed from the database
/// row by row and flushed in chunks, so a long trading history never sits in memory. Records are written as the Api
/// answers them (its response models), so the export cannot drift from the Api.
/// </summary>
public sealed class UserDataExport(Guid userId, TradingDbContext db) : IResult, IContentTypeHttpResult, IStatusCodeHttpResult
{
    private const int FlushThreshold = 32 * 1024;

    public string ContentType => "application/json; charset=utf-8";

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName($"stockgod-export-{userId}.json");
        response.Headers.ContentDisposition = disposition.ToString();

        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken);
        var roles = await AccountsApi.RolesOfAsync(db, userId, cancellationToken);

        // Over the response's PipeWriter the serializer's own flushes only hand bytes over; the network sees them when
        // this code flushes the pipe, asynchronously.
        var body = response.BodyWriter;
        await using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteString("exported_at", httpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        json.WritePropertyName("profile");
        JsonSerializer.Serialize(json, new UserResponse(user.Id, user.Email, user.DisplayName, roles, user.CreatedAt), options);

        json.WriteStartArray("portfolios");
        var portfolios = await db.Portfolios.AsNoTracking().Include(p => p.Positions)
            .Where(p => p.OwnerUserId == userId).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        foreach (var portfolio in portfolios)
        {
            var id = portfolio.Id;
            json.WriteStartObject();
            json.WritePropertyName("portfolio");
            JsonSerializer.Serialize(json, PortfolioResponse.From(portfolio, previousCloseEquity: null), options);
            await WriteArrayAsync(json, body, "orders", db.Orders.AsNoTracking().Where(o => o.PortfolioId == id).OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .AsAsyncEnumerable(), OrderResponse.From, options, cancellationToken);
            await WriteArrayAsync(json, body, "fills", ExportsApi.Trades(db, id), t => t, options, cancellationToken);
            await WriteArrayAsync(json, body, "strategies", db.Strategies.AsNoTracking().Where(s => s.PortfolioId == id).OrderBy(s => s.CreatedAt)
                .AsAsyncEnumerable(), StrategyResponse.From, options, cancellationToken);
            await WriteArrayAsync(json, body, "snapshots", db.PortfolioSnapshots.AsNoTracking().Where(s => s.PortfolioId == id).OrderBy(s => s.TradingDate)
                .AsAsyncEnumerable(), SnapshotExport.From, options, cancellationToken);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        await WriteArrayAsync(json, body, "watchlists", db.Watchlists.AsNoTracking().Include(w => w.Items).Where(w => w.UserId == userId).OrderBy(w => w.CreatedAt)
            .AsAsyncEnumerable(), WatchlistResponse.From, options, cancellationToken);
        await WriteArrayAsync(json, body, "alerts", db.PriceAlerts.AsNoTracking().Where(a => a.UserId == userId).OrderBy(a => a.CreatedAt)
            .AsAsyncEnumerable(), PriceAlertResponse.From, options, cancellationToken);
        await WriteArrayAsync(json, body, "notifications", db.Notifications.AsNoTracking().Where(n => n.UserId == userId).OrderBy(n => n.CreatedAt)
            .AsAsyncEnumerable(), NotificationResponse.From, options, cancellationToken);
        json.WriteEndObject();
        json.Flush();
        await body.FlushAsync(cancellationToken);
    }

    private static async Task WriteArrayAsync<TEntity, TOut>(
        Utf8JsonWriter json, System.IO.Pipelines.PipeWriter body, string name, IAsyncEnumerable<TEntity> rows, Func<TEntity, TOut> map, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        json.WriteStartArray(name);
        var flushedAt = json.BytesCommitted;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            JsonSerializer.Serialize(json, map(row), options);
            // Serialize flushed the writer into the pipe; the pipe goes to the client in chunks.
            if (json.BytesCommitted - flushedAt >= FlushThreshold)
            {
                await body.FlushAsync(cancellationToken);
                flushedAt = json.BytesCommitted;
            }
        }

        json.WriteEndArray();
    }
}
