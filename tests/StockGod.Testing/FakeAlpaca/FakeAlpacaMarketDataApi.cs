using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StockGod.Testing.FakeAlpaca;

/// <summary>
/// Market Data v2 stock routes of the fake (market-data-api.json). Unknown symbols are left out of the answers.
/// Bars page like Alpaca's: <c>limit</c> counts bars across all symbols, results go by symbol then time, and
/// <c>next_page_token</c> (base64 of "SYMBOL|timeframe|time" of the last bar sent) continues after that bar.
/// </summary>
internal static class FakeAlpacaMarketDataApi
{
    private static readonly string[] LatestFeeds = ["sip", "iex", "delayed_sip", "boats", "overnight", "otc"];
    private static readonly string[] HistoricalFeeds = ["sip", "iex", "boats", "otc"];

    public static void MapMarketDataApi(this IEndpointRouteBuilder routes, FakeAlpacaMarketData marketData)
    {
        routes.MapGet("/v2/stocks/quotes/latest", (HttpRequest request) =>
        {
            CheckFeed(request.Query, LatestFeeds);
            var quotes = Symbols(request.Query)
                .Select(symbol => (symbol, quote: marketData.LatestQuote(symbol)))
                .Where(x => x.quote is not null)
                .ToDictionary(x => x.symbol, x => x.quote!);
            return Results.Json(new { quotes }, FakeAlpacaJson.MarketData);
        });

        // No wrapper key: the symbols are the top-level properties.
        routes.MapGet("/v2/stocks/snapshots", (HttpRequest request) =>
        {
            CheckFeed(request.Query, LatestFeeds);
            var snapshots = Symbols(request.Query)
                .Select(symbol => (symbol, snapshot: marketData.Snapshot(symbol)))
                .Where(x => x.snapshot is not null)
                .ToDictionary(x => x.symbol, x => x.snapshot!);
            return Results.Json(snapshots, FakeAlpacaJson.MarketData);
        });

        routes.MapGet("/v2/stocks/bars", (HttpRequest request) => Bars(marketData, request.Query));
    }

    private static IResult Bars(FakeAlpacaMarketData marketData, IQueryCollection query)
    {
        CheckFeed(query, HistoricalFeeds);
        var symbols = Symbols(query);
        var timeframe = query["timeframe"].ToString() is { Length: > 0 } requested
            ? FakeAlpacaMarketData.NormalizeTimeframe(requested) ?? throw BadRequest($"invalid timeframe {requested}")
            : throw BadRequest("timeframe is required");
        var limit = query["limit"].ToString() is { Length: > 0 } l
            ? int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 10_000
                ? parsed
                : throw BadRequest($"invalid limit {l}")
            : 1000;
        var descending = query["sort"].ToString() switch
        {
            "" or "asc" => false,
            "desc" => true,
            var sort => throw BadRequest($"invalid sort {sort}"),
        };

        var all = marketData.Bars(symbols, timeframe, ParseTime(query["start"], "start"), ParseTime(query["end"], "end"), descending).ToList();
        var first = 0;
        if (query["page_token"].ToString() is { Length: > 0 } token)
        {
            var (symbol, time) = DecodeToken(token);
            first = all.FindIndex(x => x.Symbol == symbol && x.Bar.Timestamp == time) + 1;
            if (first == 0)
            {
                throw BadRequest("invalid page_token");
            }
        }

        var page = all.Skip(first).Take(limit).ToList();
        var more = first + page.Count < all.Count;
        var bars = page.GroupBy(x => x.Symbol).ToDictionary(g => g.Key, g => g.Select(x => x.Bar).ToList());
        var nextPageToken = more ? EncodeToken(page[^1].Symbol, timeframe, page[^1].Bar.Timestamp) : null;
        return Results.Json(new Dictionary<string, object?> { ["bars"] = bars, ["next_page_token"] = nextPageToken }, FakeAlpacaJson.MarketData);
    }

    private static List<string> Symbols(IQueryCollection query) =>
        query["symbols"].ToString() is { Length: > 0 } list
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)]
            : throw BadRequest("symbols is required");

    private static void CheckFeed(IQueryCollection query, string[] allowed)
    {
        if (query["feed"].ToString() is { Length: > 0 } feed && !allowed.Contains(feed))
        {
            throw BadRequest($"invalid feed {feed}");
        }
    }

    private static DateTimeOffset? ParseTime(string? text, string name) =>
        string.IsNullOrEmpty(text) ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
        : throw BadRequest($"invalid {name} {text}");

    private static string EncodeToken(string symbol, string timeframe, DateTimeOffset time) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{symbol}|{timeframe}|{time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture)}"));

    private static (string Symbol, DateTimeOffset Time) DecodeToken(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
            return (parts[0], DateTimeOffset.Parse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
        }
        catch (Exception exception) when (exception is FormatException or IndexOutOfRangeException)
        {
            throw BadRequest("invalid page_token");
        }
    }

    private static AlpacaApiError BadRequest(string message) => new(400, 40010000, message);
}
