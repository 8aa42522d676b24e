namespace StockGod.MarketData.Providers.Alpaca;

/// <summary>The <c>Alpaca:Data</c> section. The keys come from configuration (user secrets, environment) and are never logged.</summary>
public sealed class AlpacaDataOptions
{
    public const string SectionName = "Alpaca:Data";

    public static readonly Uri DefaultBaseUrl = new("https://data.alpaca.markets");

    public string? KeyId { get; set; }

    public string? SecretKey { get; set; }

    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>iex: the free plan's real-time feed (sip needs a subscription for recent data).</summary>
    public string Feed { get; set; } = "iex";

    /// <summary>Alpaca's free plan allows 200 requests per minute; Algo Trader Plus 10,000.</summary>
    public int RequestsPerMinute { get; set; } = 200;

    /// <summary>Bars per page (Alpaca's limit: 1 to 10,000, across all symbols of the page).</summary>
    public int BarsPerPage { get; set; } = 10_000;

    /// <summary>Symbols per request, so URLs stay short (Alpaca documents no maximum).</summary>
    public int SymbolsPerRequest { get; set; } = 100;
}
