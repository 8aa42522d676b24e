using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Market;
using StockGod.Api.Validation;
using StockGod.MarketData.Client;
using V1 = StockGod.MarketData.V1;

namespace StockGod.Api.Apis;

/// <summary>The <c>symbols</c> parameter: a comma-separated list of tickers.</summary>
internal static class SymbolListParameter
{
    public const int MaxSymbols = 200;

    public static string[] Parse(string? symbols) =>
        symbols is null ? [] : [.. symbols.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToUpperInvariant()).Distinct()];

    public static void Validate(ValidationErrors errors, string? symbols)
    {
        if (!errors.Required("symbols", symbols))
        {
            return;
        }

        var parsed = Parse(symbols);
        if (parsed.Length is 0 or > MaxSymbols)
        {
            errors.Add("symbols", $"must list 1 to {MaxSymbols} symbols, comma-separated.");
        }

        var malformed = parsed.Where(s => !ValidationErrors.IsSymbol(s)).Take(10).ToList();
        if (malformed.Count > 0)
        {
            errors.Add("symbols", $"are not ticker symbols: {string.Join(", ", malformed)}.");
        }
    }
}

public sealed record SymbolsQuery([property: FromQuery(Name = "symbols")] string? Symbols) : IValidatableRequest
{
    public string[] Parsed => SymbolListParameter.Parse(Symbols);

    public void Validate(ValidationErrors errors) => SymbolListParameter.Validate(errors, Symbols);
}

/// <summary>Bars of symbols in [start, end), paged as MarketData pages them (the token of one page fetches the next).</summary>
public sealed record BarsQuery(
    [property: FromQuery(Name = "symbols")] string? Symbols,
    [property: FromQuery(Name = "timeframe")] string? Timeframe,
    [property: FromQuery(Name = "start")] DateTimeOffset? Start,
    [property: FromQuery(Name = "end")] DateTimeOffset? End,
    [property: FromQuery(Name = "limit")] int? Limit,
    [property: FromQuery(Name = "page_token")] string? PageToken) : IValidatableRequest
{
    public const int DefaultLimit = 1_000;
    public const int MaxLimit = 10_000;
    private const int MaxPageTokenLength = 1_024;

    public string[] Parsed => SymbolListParameter.Parse(Symbols);

    public void Validate(ValidationErrors errors)
    {
        SymbolListParameter.Validate(errors, Symbols);
        if (errors.Required("timeframe", Timeframe) && !V1.BarTimeframeNames.TryParse(Timeframe, out _))
        {
            errors.Add("timeframe", $"must be one of {string.Join(", ", V1.BarTimeframeNames.All)}.");
        }

        errors.Required("start", Start);
        if (Start is not null && End is not null && Start >= End)
        {
            errors.Add("end", "must be after 'start'.");
        }

        errors.Range("limit", Limit, 1, MaxLimit);
        errors.Length("page_token", PageToken, 1, MaxPageTokenLength);
    }
}

public sealed record SymbolSearchQuery(
    [property: FromQuery(Name = "q")] string? Q,
    [property: FromQuery(Name = "limit")] int? Limit) : IValidatableRequest
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 50;

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("q", Q))
        {
            errors.Length("q", Q, 1, 64);
        }

        errors.Range("limit", Limit, 1, MaxLimit);
    }
}

/// <summary>A quote; <c>stale</c> is set when MarketData served its last known value because the source failed, <c>age_ms</c> says how old it is.</summary>
public sealed record QuoteResponse(
    string Symbol, decimal BidPrice, long BidSize, decimal AskPrice, long AskSize, decimal LastPrice, DateTimeOffset Timestamp, string Source, bool Stale, long AgeMs)
{
    public static QuoteResponse From(V1.Quote message)
    {
        var q = message.ToQuote();
        return new(q.Symbol, q.BidPrice, q.BidSize, q.AskPrice, q.AskSize, q.LastPrice, q.Timestamp, q.Source, q.Stale, MillisecondsOf(message.Age));
    }

    internal static long MillisecondsOf(Duration? age) => age is null ? 0 : (long)age.ToTimeSpan().TotalMilliseconds;
}

public sealed record QuotesResponse(IReadOnlyList<QuoteResponse> Quotes, IReadOnlyList<string> UnknownSymbols);

public sealed record BarResponse(DateTimeOffset Timestamp, decimal Open, decimal High, decimal Low, decimal Close, long Volume, decimal Vwap, int TradeCount)
{
    public static BarResponse? From(V1.Bar? message)
    {
        if (message is null)
        {
            return null;
        }

        var b = message.ToBar();
        return new(b.Timestamp, b.Open, b.High, b.Low, b.Close, b.Volume, b.Vwap, b.TradeCount);
    }
}

public sealed record SymbolBarsResponse(string Symbol, IReadOnlyList<BarResponse> Bars);

/// <summary>One page of bars; <c>next_page_token</c> is null on the last page.</summary>
public sealed record BarsResponse(IReadOnlyList<SymbolBarsResponse> Bars, string? NextPageToken, IReadOnlyList<string> UnknownSymbols);

public sealed record TradeResponse(decimal Price, long Size, DateTimeOffset Timestamp);

public sealed record SnapshotResponse(
    string Symbol,
    TradeResponse? LatestTrade,
    QuoteResponse? LatestQuote,
    BarResponse? MinuteBar,
    BarResponse? DailyBar,
    BarResponse? PrevDailyBar,
    string Source,
    bool Stale,
    long AgeMs)
{
    public static SnapshotResponse From(V1.Snapshot s) => new(
        s.Symbol,
        s.LatestTrade is { } t ? new TradeResponse(t.Price, t.Size, t.Timestamp.ToDateTimeOffset()) : null,
        s.LatestQuote is { } q ? QuoteResponse.From(q) : null,
        BarResponse.From(s.MinuteBar),
        BarResponse.From(s.DailyBar),
        BarResponse.From(s.PrevDailyBar),
        s.Source,
        s.Stale,
        QuoteResponse.MillisecondsOf(s.Age));
}

public sealed record SnapshotsResponse(IReadOnlyList<SnapshotResponse> Snapshots, IReadOnlyList<string> UnknownSymbols);

public sealed record SymbolSearchResponse(IReadOnlyList<ListedSymbol> Symbols);
