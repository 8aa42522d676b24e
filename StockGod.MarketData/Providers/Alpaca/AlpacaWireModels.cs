using System.Text.Json.Serialization;

namespace StockGod.MarketData.Providers.Alpaca;

// Market Data v2 objects (market-data-api.json: stock_quote, stock_trade, stock_bar, stock_snapshot); prices are JSON numbers.

internal sealed record AlpacaQuote(
    [property: JsonPropertyName("t")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("bp")] decimal BidPrice,
    [property: JsonPropertyName("bs")] long BidSize,
    [property: JsonPropertyName("ap")] decimal AskPrice,
    [property: JsonPropertyName("as")] long AskSize);

internal sealed record AlpacaTrade(
    [property: JsonPropertyName("t")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("p")] decimal Price,
    [property: JsonPropertyName("s")] long Size);

internal sealed record AlpacaBar(
    [property: JsonPropertyName("t")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("o")] decimal Open,
    [property: JsonPropertyName("h")] decimal High,
    [property: JsonPropertyName("l")] decimal Low,
    [property: JsonPropertyName("c")] decimal Close,
    [property: JsonPropertyName("v")] long Volume,
    [property: JsonPropertyName("n")] long TradeCount,
    [property: JsonPropertyName("vw")] decimal Vwap);

internal sealed record AlpacaSnapshot(
    [property: JsonPropertyName("latestTrade")] AlpacaTrade? LatestTrade,
    [property: JsonPropertyName("latestQuote")] AlpacaQuote? LatestQuote,
    [property: JsonPropertyName("minuteBar")] AlpacaBar? MinuteBar,
    [property: JsonPropertyName("dailyBar")] AlpacaBar? DailyBar,
    [property: JsonPropertyName("prevDailyBar")] AlpacaBar? PrevDailyBar);

internal sealed record AlpacaLatestQuotes([property: JsonPropertyName("quotes")] Dictionary<string, AlpacaQuote>? Quotes);

internal sealed record AlpacaBarsPage(
    [property: JsonPropertyName("bars")] Dictionary<string, List<AlpacaBar>>? Bars,
    [property: JsonPropertyName("next_page_token")] string? NextPageToken);

[JsonSerializable(typeof(AlpacaLatestQuotes))]
[JsonSerializable(typeof(AlpacaBarsPage))]
[JsonSerializable(typeof(Dictionary<string, AlpacaSnapshot>))]
internal sealed partial class AlpacaDataJson : JsonSerializerContext;
