using Grpc.Core;
using StockGod.Trading.Market;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Client;

/// <summary><see cref="IMarketDataSource"/> over MarketData's gRPC API: batches of up to 1,000 symbols, bars paged through.</summary>
public sealed class GrpcMarketDataSource(V1.MarketDataService.MarketDataServiceClient client) : IMarketDataSource
{
    private const int MaxSymbolsPerCall = 1_000;
    private const int BarsPerPage = 10_000;

    public async Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default)
    {
        // Every strategy evaluation and every simulated order asks for quotes: sized up front, no LINQ. Batches are the
        // distinct symbols (case-insensitively, first spelling kept) in order, up to 1,000 per call.
        var quotes = new Dictionary<string, Quote>(symbols.Count, StringComparer.OrdinalIgnoreCase);
        var distinct = new HashSet<string>(symbols.Count, StringComparer.OrdinalIgnoreCase);
        var request = NewQuotesRequest(symbols.Count);
        foreach (var symbol in symbols)
        {
            if (!distinct.Add(symbol))
            {
                continue;
            }

            request.Symbols.Add(symbol);
            if (request.Symbols.Count == MaxSymbolsPerCall)
            {
                await GetQuotesBatchAsync(request, quotes, cancellationToken);
                request = NewQuotesRequest(symbols.Count - distinct.Count);
            }
        }

        if (request.Symbols.Count > 0)
        {
            await GetQuotesBatchAsync(request, quotes, cancellationToken);
        }

        return quotes;
    }

    private static V1.GetQuotesRequest NewQuotesRequest(int symbolsLeft)
    {
        var request = new V1.GetQuotesRequest();
        request.Symbols.Capacity = Math.Min(symbolsLeft, MaxSymbolsPerCall);
        return request;
    }

    private async Task GetQuotesBatchAsync(V1.GetQuotesRequest request, Dictionary<string, Quote> quotes, CancellationToken cancellationToken)
    {
        try
        {
            // Read straight into domain quotes: no generated messages per quote (QuotesResponseReader).
            foreach (var quote in await client.GetDomainQuotesAsync(request, cancellationToken: cancellationToken))
            {
                quotes[quote.Symbol] = quote;
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // None of this batch is known: unknown symbols are left out.
        }
    }

    public async Task<IReadOnlyList<string>> ListSymbolsAsync(CancellationToken cancellationToken = default) =>
        [.. (await client.ListSymbolsAsync(new V1.ListSymbolsRequest(), cancellationToken: cancellationToken)).Symbols];

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default)
    {
        var bars = new Dictionary<string, List<Bar>>(StringComparer.OrdinalIgnoreCase);
        foreach (var batch in symbols.Distinct(StringComparer.OrdinalIgnoreCase).Chunk(MaxSymbolsPerCall))
        {
            var request = new V1.GetBarsRequest
            {
                Timeframe = V1.BarTimeframeNames.ToWireName(timeframe),
                Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(start),
                End = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(end),
                Limit = BarsPerPage,
            };
            request.Symbols.AddRange(batch);
            try
            {
                do
                {
                    var page = await client.GetBarsAsync(request, cancellationToken: cancellationToken);
                    foreach (var symbolBars in page.Bars)
                    {
                        if (!bars.TryGetValue(symbolBars.Symbol, out var list))
                        {
                            bars[symbolBars.Symbol] = list = [];
                        }

                        list.AddRange(symbolBars.Bars.Select(b => b.ToBar()));
                    }

                    request.PageToken = page.NextPageToken;
                }
                while (request.PageToken.Length > 0);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // None of this batch is known: unknown symbols are left out.
            }
        }

        return bars.ToDictionary(p => p.Key, p => (IReadOnlyList<Bar>)p.Value, StringComparer.OrdinalIgnoreCase);
    }
}
