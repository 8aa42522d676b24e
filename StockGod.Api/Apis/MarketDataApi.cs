using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http.HttpResults;
using StockGod.Api.Infrastructure;
using StockGod.Api.Market;
using StockGod.Api.RateLimiting;
using V1 = StockGod.MarketData.V1;

namespace StockGod.Api.Apis;

/// <summary>Quotes, bars and snapshots through MarketData's gRPC API, and a symbol lookup.</summary>
public static class MarketDataApi
{
    public static RouteGroupBuilder MapMarketDataApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("market", "Market data")
            .AddEndpointFilter<GrpcProblemFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/quotes", GetQuotesAsync).WithSummary("Latest quotes; 404 only when none of the symbols is known, else unknown ones are listed");
        api.MapGet("/bars", GetBarsAsync).WithSummary("Bars in [start, end) per symbol, paged with next_page_token");
        api.MapGet("/snapshots", GetSnapshotsAsync).WithSummary("Latest trade, quote, minute bar, daily bar and previous daily bar per symbol");
        api.MapGet("/symbols", SearchSymbols)
            .RequireRateLimiting(RateLimitPolicies.SymbolSearch)
            .WithSummary("Symbols whose ticker or company name matches q, best matches first");
        return api;
    }

    public static async Task<Results<Ok<QuotesResponse>, ValidationProblem>> GetQuotesAsync(
        [AsParameters] SymbolsQuery query, V1.MarketDataService.MarketDataServiceClient client, CancellationToken cancellationToken)
    {
        var request = new V1.GetQuotesRequest();
        request.Symbols.AddRange(query.Parsed);
        var response = await client.GetQuotesAsync(request, cancellationToken: cancellationToken);
        return TypedResults.Ok(new QuotesResponse([.. response.Quotes.Select(QuoteResponse.From)], [.. response.UnknownSymbols]));
    }

    public static async Task<Results<Ok<BarsResponse>, ValidationProblem>> GetBarsAsync(
        [AsParameters] BarsQuery query, V1.MarketDataService.MarketDataServiceClient client, CancellationToken cancellationToken)
    {
        var request = new V1.GetBarsRequest
        {
            Timeframe = query.Timeframe,
            Start = Timestamp.FromDateTimeOffset(query.Start!.Value),
            Limit = query.Limit ?? BarsQuery.DefaultLimit,
            PageToken = query.PageToken ?? string.Empty,
        };
        if (query.End is { } end)
        {
            request.End = Timestamp.FromDateTimeOffset(end);
        }

        request.Symbols.AddRange(query.Parsed);
        var page = await client.GetBarsAsync(request, cancellationToken: cancellationToken);
        return TypedResults.Ok(new BarsResponse(
            [.. page.Bars.Select(s => new SymbolBarsResponse(s.Symbol, [.. s.Bars.Select(b => BarResponse.From(b)!)]))],
            page.NextPageToken.Length > 0 ? page.NextPageToken : null,
            [.. page.UnknownSymbols]));
    }

    public static async Task<Results<Ok<SnapshotsResponse>, ValidationProblem>> GetSnapshotsAsync(
        [AsParameters] SymbolsQuery query, V1.MarketDataService.MarketDataServiceClient client, CancellationToken cancellationToken)
    {
        var request = new V1.GetSnapshotsRequest();
        request.Symbols.AddRange(query.Parsed);
        var response = await client.GetSnapshotsAsync(request, cancellationToken: cancellationToken);
        return TypedResults.Ok(new SnapshotsResponse([.. response.Snapshots.Select(SnapshotResponse.From)], [.. response.UnknownSymbols]));
    }

    public static Results<Ok<SymbolSearchResponse>, ValidationProblem> SearchSymbols([AsParameters] SymbolSearchQuery query, SymbolDirectory directory) =>
        TypedResults.Ok(new SymbolSearchResponse(directory.Search(query.Q!, query.Limit ?? SymbolSearchQuery.DefaultLimit)));
}
