using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;
using StockGod.MarketData.Streaming;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Services;

/// <summary>The gRPC (and, transcoded, JSON) face of the market-data cache. Bound by <see cref="QuotesWireFormat"/>.</summary>
internal sealed class MarketDataGrpcService(
    MarketDataCache cache,
    QuoteBroadcaster broadcaster,
    IMarketDataProvider provider,
    TimeProvider time) : MarketDataServiceBase
{
    private const int DefaultBarLimit = 1_000;
    private const int MaxBarLimit = 10_000;
    private const int SymbolsPerBarFetch = 100;
    private static readonly TimeSpan MaxIntradaySpan = TimeSpan.FromDays(366);

    public override async Task<V1.GetQuotesResponse> GetQuotes(V1.GetQuotesRequest request, ServerCallContext context)
    {
        var symbols = SymbolList.Parse(request.Symbols);
        var quotes = await cache.GetQuotesAsync(symbols, context.CancellationToken);
        var response = new V1.GetQuotesResponse();
        var now = time.GetUtcNow();
        // Over gRPC the quotes are written from their prebuilt bytes; JSON transcoding serializes Quotes itself.
        var prebuilt = IsGrpc(context) ? response.Prebuilt = new List<V1.PrebuiltQuote>(symbols.Count) : null;
        // One pass, no LINQ: this is the hot path of the service.
        List<string>? unknown = null;
        foreach (var symbol in symbols)
        {
            var quote = quotes[symbol];
            if (quote.Found && prebuilt is not null)
            {
                prebuilt.Add(quote.ToPrebuilt(now));
            }
            else if (quote.Found)
            {
                response.Quotes.Add(quote.ToProto(now));
            }
            else
            {
                (unknown ??= []).Add(symbol);
            }
        }

        if (unknown is not null)
        {
            SymbolList.ThrowIfNoneKnown(symbols, unknown);
            response.UnknownSymbols.AddRange(unknown);
        }

        return response;
    }

    public override Task<V1.ListSymbolsResponse> ListSymbols(V1.ListSymbolsRequest request, ServerCallContext context) =>
        Task.FromResult(new V1.ListSymbolsResponse { Symbols = { provider.Symbols } });

    public override async Task<V1.GetSnapshotsResponse> GetSnapshots(V1.GetSnapshotsRequest request, ServerCallContext context)
    {
        var symbols = SymbolList.Parse(request.Symbols);
        var snapshots = await cache.GetSnapshotsAsync(symbols, context.CancellationToken);
        var response = new V1.GetSnapshotsResponse();
        response.UnknownSymbols.AddRange(SymbolList.Unknown(symbols, s => snapshots[s].Found));
        var now = time.GetUtcNow();
        foreach (var symbol in symbols)
        {
            var snapshot = snapshots[symbol];
            if (snapshot.Found)
            {
                response.Snapshots.Add(snapshot.ToProto(cache.ProviderName, now));
            }
        }

        return response;
    }

    public override async Task<V1.GetBarsResponse> GetBars(V1.GetBarsRequest request, ServerCallContext context)
    {
        var symbols = SymbolList.Parse(request.Symbols).Order(StringComparer.Ordinal).ToList();
        if (!V1.BarTimeframeNames.TryParse(request.Timeframe, out var timeframe))
        {
            throw Invalid($"timeframe '{request.Timeframe}' is not supported: use one of {string.Join(", ", V1.BarTimeframeNames.All)}.");
        }

        if (request.Limit is < 0 or > MaxBarLimit)
        {
            throw Invalid($"limit {request.Limit} is out of range: use 1 to {MaxBarLimit} (0 for the default {DefaultBarLimit}).");
        }

        var limit = request.Limit == 0 ? DefaultBarLimit : request.Limit;
        var now = time.GetUtcNow();
        var end = request.End?.ToDateTimeOffset() ?? now;
        var start = request.Start?.ToDateTimeOffset()
            ?? (timeframe == BarTimeframe.Day1 ? end.AddYears(-1) : NewYorkTime.StartOfDay(NewYorkTime.DateOf(end)));
        var fingerprint = BarPageToken.FingerprintOf(symbols, request.Timeframe, start);

        BarPageToken? token = null;
        if (request.PageToken.Length > 0)
        {
            var decoded = BarPageToken.Decode(request.PageToken);
            if (decoded.Fingerprint != fingerprint || (request.End is not null && decoded.End != end))
            {
                throw Invalid("page_token belongs to another query: repeat the query's symbols, timeframe, start and end unchanged.");
            }

            token = decoded;
            end = decoded.End;
        }

        if (start >= end)
        {
            throw Invalid($"start {start:O} must be before end {end:O}.");
        }

        if (timeframe != BarTimeframe.Day1 && end - start > MaxIntradaySpan)
        {
            throw Invalid($"An intraday range spans at most {MaxIntradaySpan.TotalDays} days per request; narrow start and end.");
        }

        var response = new V1.GetBarsResponse();
        var remaining = token is { } t ? symbols.SkipWhile(s => string.CompareOrdinal(s, t.Symbol) < 0).ToList() : symbols;
        var count = 0;
        foreach (var group in remaining.Chunk(SymbolsPerBarFetch))
        {
            var bars = await cache.GetBarsAsync(group, timeframe, start, end, context.CancellationToken);
            foreach (var symbol in group)
            {
                if (!bars.TryGetValue(symbol, out var cached))
                {
                    response.UnknownSymbols.Add(symbol);
                    continue;
                }

                var list = token is { } resume && resume.Symbol == symbol
                    ? cached.Bars.Where(b => b.Timestamp > resume.LastTimestamp).ToList()
                    : cached.Bars;
                if (list.Count == 0)
                {
                    continue;
                }

                if (count == limit)
                {
                    response.NextPageToken = new BarPageToken(symbol, DateTimeOffset.MinValue, end, fingerprint).Encode();
                    return response;
                }

                var take = Math.Min(list.Count, limit - count);
                var page = new V1.SymbolBars { Symbol = symbol };
                page.Bars.AddRange(list.Take(take).Select(b => b.ToProto()));
                response.Bars.Add(page);
                count += take;
                if (take < list.Count)
                {
                    response.NextPageToken = new BarPageToken(symbol, list[take - 1].Timestamp, end, fingerprint).Encode();
                    return response;
                }
            }
        }

        if (token is null && response.UnknownSymbols.Count == symbols.Count)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Unknown symbols: {string.Join(", ", response.UnknownSymbols.Take(50))}."));
        }

        return response;
    }

    public override async Task StreamQuotes(V1.StreamQuotesRequest request, IServerStreamWriter<V1.Quote> responseStream, ServerCallContext context)
    {
        var symbols = SymbolList.Parse(request.Symbols);
        var cancellationToken = context.CancellationToken;
        var first = await cache.GetQuotesAsync(symbols, cancellationToken);
        SymbolList.Unknown(symbols, s => first[s].Found);
        using var subscription = broadcaster.Subscribe(symbols.Where(s => first[s].Found).ToDictionary(s => s, s => first[s], StringComparer.Ordinal));
        try
        {
            await foreach (var quote in subscription.Quotes.ReadAllAsync(cancellationToken))
            {
                await responseStream.WriteAsync(quote.ToProto(time.GetUtcNow()), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away; disposing the subscription stops watching its symbols.
        }
    }

    private static bool IsGrpc(ServerCallContext context) =>
        context.GetHttpContext().Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
