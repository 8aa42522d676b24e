using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Services;

/// <summary>The gRPC (and, transcoded, JSON) face of the market-data cache.</summary>
internal sealed partial class MarketDataGrpcService(
    MarketDataCache cache,
    TimeProvider time,
    IOptions<MarketDataOptions> options,
    ILogger<MarketDataGrpcService> logger) : V1.MarketDataService.MarketDataServiceBase
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
        // One pass, no LINQ: this is the hot path of the service.
        List<string>? unknown = null;
        foreach (var symbol in symbols)
        {
            var quote = quotes[symbol];
            if (quote.Found)
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
        var known = symbols.Where(s => first[s].Found).ToList();
        var sent = new Dictionary<string, QuoteLevels>(StringComparer.Ordinal);
        var quotes = first;
        while (true)
        {
            var now = time.GetUtcNow();
            foreach (var symbol in known)
            {
                var quote = quotes[symbol];
                // A change is a new bid, ask or last; the timestamp alone moves every second.
                var levels = new QuoteLevels(quote.Value!.BidPrice, quote.Value.AskPrice, quote.Value.LastPrice);
                if (!sent.TryGetValue(symbol, out var previous) || previous != levels)
                {
                    sent[symbol] = levels;
                    await responseStream.WriteAsync(quote.ToProto(now), cancellationToken);
                }
            }

            try
            {
                await Task.Delay(options.Value.StreamInterval, time, cancellationToken);
                quotes = await cache.GetQuotesAsync(known, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (MarketDataUnavailableException ex)
            {
                // The stream outlives a provider outage: it resumes when quotes come back.
                LogStreamTickFailed(logger, ex);
            }
        }
    }

    private readonly record struct QuoteLevels(decimal Bid, decimal Ask, decimal Last);

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    [LoggerMessage(LogLevel.Warning, "StreamQuotes could not refresh quotes; keeping the stream open")]
    private static partial void LogStreamTickFailed(ILogger logger, Exception exception);
}
