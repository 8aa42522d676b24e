using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using StockGod.MarketData.V1;

namespace StockGod.LoadTests;

/// <summary>
/// MarketData's gRPC API as the Api and the Scheduler call it: GetQuotes of all 50 symbols, and GetBars of 5 symbols
/// (in turn over the 50), a year of daily bars in one page (finished bars: served from its cache after the first call).
/// </summary>
public sealed class MarketDataScenario : ILoadScenario, IDisposable
{
    private const int BarSymbols = 5;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private static readonly Timestamp BarsStart = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly Timestamp BarsEnd = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private readonly GrpcChannel _channel;
    private readonly MarketDataService.MarketDataServiceClient _client;
    private readonly GetQuotesRequest _quotes = new() { Symbols = { LoadSymbols.All } };
    private readonly long[] _barCalls;

    public MarketDataScenario(Uri marketData, int callers)
    {
        // Cleartext HTTP/2; more than one connection once the streams of one are all in use.
        _channel = GrpcChannel.ForAddress(marketData, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan },
        });
        _client = new MarketDataService.MarketDataServiceClient(_channel);
        _barCalls = new long[callers];
    }

    public string Name => "marketdata";

    public IReadOnlyList<string> Operations { get; } = ["gRPC GetQuotes (50 symbols)", $"gRPC GetBars ({BarSymbols} symbols × 1Day, 1 year)"];

    public async Task ExecuteAsync(int caller, int operation, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + CallTimeout;
        if (operation == 0)
        {
            var quotes = await _client.GetQuotesAsync(_quotes, deadline: deadline, cancellationToken: cancellationToken);
            if (quotes.Quotes.Count != LoadSymbols.All.Count)
            {
                throw new LoadFailureException("incomplete answer", $"GetQuotes answered {quotes.Quotes.Count} quotes of {LoadSymbols.All.Count}; unknown: {string.Join(',', quotes.UnknownSymbols)}");
            }

            return;
        }

        var first = (int)(_barCalls[caller]++ * BarSymbols % LoadSymbols.All.Count);
        var request = new GetBarsRequest { Timeframe = "1Day", Start = BarsStart, End = BarsEnd, Limit = 10_000, Symbols = { LoadSymbols.All.Skip(first).Take(BarSymbols) } };
        var bars = await _client.GetBarsAsync(request, deadline: deadline, cancellationToken: cancellationToken);
        if (bars.Bars.Count != BarSymbols || bars.Bars.Any(s => s.Bars.Count == 0))
        {
            throw new LoadFailureException("incomplete answer", $"GetBars answered {bars.Bars.Count} symbols of {BarSymbols}");
        }
    }

    public void Dispose() => _channel.Dispose();
}
