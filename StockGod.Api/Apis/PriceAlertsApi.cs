using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Identity;
using StockGod.Api.Idempotency;
using StockGod.Api.Infrastructure;
using StockGod.Api.Validation;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Alerts;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class PriceAlertsApi
{
    public static RouteGroupBuilder MapPriceAlertsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("alerts", "Price alerts");
        api.MapPost("/", CreateAsync).WithIdempotency()
            .WithSummary("Create a price alert (above, below or percent_change) on a symbol the market data knows")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/", ListAsync).WithSummary("The caller's price alerts, newest first; active=true|false filters");
        api.MapGet("/{alertId:guid}", GetAsync).WithSummary("One price alert");
        api.MapPatch("/{alertId:guid}", UpdateAsync).WithSummary("Change an alert's threshold or reference price, re-arm it (active=true) or disarm it");
        api.MapDelete("/{alertId:guid}", DeleteAsync).WithSummary("Delete a price alert");
        return api;
    }

    public static async Task<Results<Created<PriceAlertResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreatePriceAlertRequest request, ClaimsPrincipal principal, TradingDbContext db, IMarketDataSource marketData, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        if (await db.PriceAlerts.CountAsync(a => a.UserId == userId, cancellationToken) >= PriceAlertRules.MaxAlertsPerUser)
        {
            return Problems.BusinessRule($"A user may hold at most {PriceAlertRules.MaxAlertsPerUser} price alerts.");
        }

        var symbol = Symbols.Normalize(request.Symbol!);
        Quote? quote;
        try
        {
            quote = (await marketData.GetQuotesAsync([symbol], cancellationToken)).GetValueOrDefault(symbol);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return Problems.ServiceUnavailable("Market data could not be reached to check the symbol; retry later.");
        }

        if (quote is null)
        {
            return Problems.Validation("symbol", $"'{symbol}' is not a symbol the market data knows.");
        }

        var condition = request.Condition!.Value;
        var reference = condition == PriceAlertCondition.PercentChange ? request.ReferencePrice ?? quote.LastPrice : (decimal?)null;
        var now = time.GetUtcNow();
        var alert = new PriceAlert(Guid.CreateVersion7(now), userId, symbol, condition, request.Threshold!.Value, reference, now);
        db.PriceAlerts.Add(alert);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"{ApiRouting.Prefix}/alerts/{alert.Id}", PriceAlertResponse.From(alert));
    }

    public static async Task<Ok<List<PriceAlertResponse>>> ListAsync(
        [AsParameters] ListPriceAlertsQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var alerts = db.PriceAlerts.AsNoTracking().Where(a => a.UserId == userId);
        if (query.Active is { } active)
        {
            alerts = alerts.Where(a => a.Active == active);
        }

        var list = await alerts.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(list.Select(PriceAlertResponse.From).ToList());
    }

    public static async Task<Results<Ok<PriceAlertResponse>, ProblemHttpResult>> GetAsync(
        Guid alertId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var alert = await FindOwnedAsync(db, alertId, principal, tracking: false, cancellationToken);
        return alert is null ? Problems.NotFound("The price alert") : TypedResults.Ok(PriceAlertResponse.From(alert));
    }

    public static async Task<Results<Ok<PriceAlertResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid alertId, UpdatePriceAlertRequest request, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var alert = await FindOwnedAsync(db, alertId, principal, tracking: true, cancellationToken);
        if (alert is null)
        {
            return Problems.NotFound("The price alert");
        }

        var errors = new ValidationErrors();
        PriceAlertRules.ValidateThreshold(errors, alert.Condition, request.Threshold);
        if (request.ReferencePrice is not null && alert.Condition != PriceAlertCondition.PercentChange)
        {
            errors.Add("reference_price", "is only used by percent_change alerts.");
        }

        if (!errors.IsEmpty)
        {
            return Problems.Validation(errors.ToDictionary());
        }

        if (request.Threshold is not null || request.ReferencePrice is not null)
        {
            alert.ChangeThreshold(request.Threshold ?? alert.Threshold, request.ReferencePrice);
        }

        if (request.Active == true && !alert.Active)
        {
            alert.Rearm(referencePrice: null);
        }
        else if (request.Active == false)
        {
            alert.Disarm();
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(PriceAlertResponse.From(alert));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid alertId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var alert = await FindOwnedAsync(db, alertId, principal, tracking: true, cancellationToken);
        if (alert is null)
        {
            return Problems.NotFound("The price alert");
        }

        db.PriceAlerts.Remove(alert);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static Task<PriceAlert?> FindOwnedAsync(TradingDbContext db, Guid alertId, ClaimsPrincipal principal, bool tracking, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var query = db.PriceAlerts.Where(a => a.Id == alertId && a.UserId == userId);
        return (tracking ? query : query.AsNoTracking()).FirstOrDefaultAsync(cancellationToken);
    }
}
