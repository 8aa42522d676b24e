using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace StockGod.MarketData.Providers.Alpaca;

/// <summary>
/// Alpaca's Market Data API v2 over a typed HttpClient: latest quotes, snapshots and bars (paged by
/// next_page_token) for many symbols per request, on the configured feed (iex by default).
/// </summary>
internal sealed class AlpacaMarketDataProvider(HttpClient http, IOptions<AlpacaDataOptions> options) : IMarketDataProvider
{
    private readonly AlpacaDataOptions _options = options.Value;

    public string Name => "alpaca";

    /// <summary>The data API has no asset list (Alpaca's assets are a trading-API resource), so no universe.</summary>
    public IReadOnlyList<string> Symbols => [];

    /// <summary>Alpaca's latest quote carries no trade, so the last price is the quote's midpoint (snapshots have the last trade).</summary>
    public async Task<IReadOnlyDictionary<string, Quote>> GetLatestQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken)
    {
        var quotes = new Dictionary<string, Quote>(symbols.Count, StringComparer.Ordinal);
        foreach (var batch in symbols.Chunk(_options.SymbolsPerRequest))
        {
            var page = await GetAsync($"v2/stocks/quotes/latest?symbols={Join(batch)}&feed={_options.Feed}", AlpacaDataJson.Default.AlpacaLatestQuotes, cancellationToken);
            foreach (var (symbol, quote) in page.Quotes ?? [])
            {
                quotes[symbol] = ToQuote(symbol, quote, last: null);
            }
        }

        return quotes;
    }

    public async Task<IReadOnlyDictionary<string, MarketSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken)
    {
        var snapshots = new Dictionary<string, MarketSnapshot>(symbols.Count, StringComparer.Ordinal);
        foreach (var batch in symbols.Chunk(_options.SymbolsPerRequest))
        {
            var page = await GetAsync($"v2/stocks/snapshots?symbols={Join(batch)}&feed={_options.Feed}", AlpacaDataJson.Default.DictionaryStringAlpacaSnapshot, cancellationToken);
            foreach (var (symbol, snapshot) in page)
            {
                snapshots[symbol] = new MarketSnapshot(
                    symbol,
                    snapshot.LatestTrade is { } trade ? new LastTrade(trade.Price, trade.Size, trade.Timestamp) : null,
                    snapshot.LatestQuote is { } quote ? ToQuote(symbol, quote, snapshot.LatestTrade?.Price) : null,
                    ToBar(snapshot.MinuteBar),
                    ToBar(snapshot.DailyBar),
                    ToBar(snapshot.PrevDailyBar));
            }
        }

        return snapshots;
    }

    /// <summary>Alpaca cannot tell an unknown symbol from one without bars: every requested symbol gets a list.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var bars = symbols.ToDictionary(s => s, _ => new List<Bar>(), StringComparer.Ordinal);
        foreach (var batch in symbols.Chunk(_options.SymbolsPerRequest))
        {
            var query = string.Create(
                CultureInfo.InvariantCulture,
                $"v2/stocks/bars?symbols={Join(batch)}&timeframe={V1.BarTimeframeNames.ToWireName(timeframe)}&start={Rfc3339(start)}&end={Rfc3339(end)}&limit={_options.BarsPerPage}&adjustment=raw&feed={_options.Feed}");
            string? token = null;
            do
            {
                var url = token is null ? query : $"{query}&page_token={Uri.EscapeDataString(token)}";
                var page = await GetAsync(url, AlpacaDataJson.Default.AlpacaBarsPage, cancellationToken);
                foreach (var (symbol, list) in page.Bars ?? [])
                {
                    // Alpaca's end is inclusive, ours exclusive.
                    bars[symbol].AddRange(list.Where(b => b.Timestamp < end).Select(b => ToBar(b)!.Value));
                }

                token = page.NextPageToken;
            }
            while (!string.IsNullOrEmpty(token));
        }

        return bars.ToDictionary(p => p.Key, p => (IReadOnlyList<Bar>)p.Value, StringComparer.Ordinal);
    }

    private async Task<T> GetAsync<T>(string url, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new MarketDataUnavailableException($"Alpaca answered {(int)response.StatusCode} to {url.Split('?')[0]}: {body[..Math.Min(body.Length, 200)]}");
            }

            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new MarketDataUnavailableException($"Alpaca answered {url.Split('?')[0]} with an empty body.");
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException
            or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new MarketDataUnavailableException($"Alpaca market data is unavailable: {ex.Message}", ex);
        }
    }

    private static Quote ToQuote(string symbol, AlpacaQuote quote, decimal? last) => new(
        symbol,
        quote.BidPrice,
        quote.BidSize,
        quote.AskPrice,
        quote.AskSize,
        last ?? decimal.Round((quote.BidPrice + quote.AskPrice) / 2m, 4),
        quote.Timestamp,
        "alpaca");

    private static Bar? ToBar(AlpacaBar? bar) => bar is null
        ? null
        : new Bar(bar.Timestamp, bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.Vwap, (int)bar.TradeCount);

    private static string Join(IEnumerable<string> symbols) => Uri.EscapeDataString(string.Join(',', symbols));

    private static string Rfc3339(DateTimeOffset instant) =>
        Uri.EscapeDataString(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
