using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StockGod.Api.Identity;
using StockGod.Api.Idempotency;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Watchlists;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class WatchlistsApi
{
    public const int MaxWatchlistsPerUser = 50;

    public static RouteGroupBuilder MapWatchlistsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("watchlists", "Watchlists");
        api.MapPost("/", CreateAsync).WithIdempotency().WithSummary("Create a named list of symbols");
        api.MapGet("/", ListAsync).WithSummary("The caller's watchlists");
        api.MapGet("/{watchlistId:guid}", GetAsync).WithSummary("One watchlist");
        api.MapPatch("/{watchlistId:guid}", UpdateAsync).WithSummary("Rename a watchlist and/or replace its symbols");
        api.MapDelete("/{watchlistId:guid}", DeleteAsync).WithSummary("Delete a watchlist");
        return api;
    }

    public static async Task<Results<Created<WatchlistResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateWatchlistRequest request, ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        if (await db.Watchlists.CountAsync(w => w.UserId == userId, cancellationToken) >= MaxWatchlistsPerUser)
        {
            return Problems.BusinessRule($"A user may hold at most {MaxWatchlistsPerUser} watchlists.");
        }

        var now = time.GetUtcNow();
        var watchlist = new Watchlist(Guid.CreateVersion7(now), userId, request.Name!, now);
        foreach (var symbol in request.Symbols ?? [])
        {
            watchlist.Add(symbol, now);
        }

        db.Watchlists.Add(watchlist);
        return await SaveAsync(db, watchlist, cancellationToken) is { } conflict
            ? conflict
            : TypedResults.Created($"{ApiRouting.Prefix}/watchlists/{watchlist.Id}", WatchlistResponse.From(watchlist));
    }

    public static async Task<Ok<List<WatchlistResponse>>> ListAsync(ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var watchlists = await db.Watchlists.AsNoTracking().Include(w => w.Items).Where(w => w.UserId == userId).OrderBy(w => w.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(watchlists.Select(WatchlistResponse.From).ToList());
    }

    public static async Task<Results<Ok<WatchlistResponse>, ProblemHttpResult>> GetAsync(
        Guid watchlistId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var watchlist = await FindOwnedAsync(db, watchlistId, principal, tracking: false, cancellationToken);
        return watchlist is null ? Problems.NotFound("The watchlist") : TypedResults.Ok(WatchlistResponse.From(watchlist));
    }

    public static async Task<Results<Ok<WatchlistResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid watchlistId, UpdateWatchlistRequest request, ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var watchlist = await FindOwnedAsync(db, watchlistId, principal, tracking: true, cancellationToken);
        if (watchlist is null)
        {
            return Problems.NotFound("The watchlist");
        }

        var now = time.GetUtcNow();
        if (request.Name is not null)
        {
            watchlist.Rename(request.Name, now);
        }

        if (request.Symbols is not null)
        {
            var wanted = request.Symbols.Select(Symbols.Normalize).ToHashSet(StringComparer.Ordinal);
            foreach (var symbol in watchlist.Items.Select(i => i.Symbol).Where(s => !wanted.Contains(s)).ToList())
            {
                watchlist.Remove(symbol, now);
            }

            foreach (var symbol in wanted)
            {
                watchlist.Add(symbol, now);
            }
        }

        return await SaveAsync(db, watchlist, cancellationToken) is { } conflict ? conflict : TypedResults.Ok(WatchlistResponse.From(watchlist));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid watchlistId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var watchlist = await FindOwnedAsync(db, watchlistId, principal, tracking: true, cancellationToken);
        if (watchlist is null)
        {
            return Problems.NotFound("The watchlist");
        }

        db.Watchlists.Remove(watchlist);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<Watchlist?> FindOwnedAsync(TradingDbContext db, Guid watchlistId, ClaimsPrincipal principal, bool tracking, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var query = db.Watchlists.Include(w => w.Items).Where(w => w.Id == watchlistId && w.UserId == userId);
        return (tracking ? query : query.AsNoTracking()).FirstOrDefaultAsync(cancellationToken);
    }

    private static async Task<ProblemHttpResult?> SaveAsync(TradingDbContext db, Watchlist watchlist, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Conflict($"A watchlist named '{watchlist.Name}' already exists.");
        }
    }
}
