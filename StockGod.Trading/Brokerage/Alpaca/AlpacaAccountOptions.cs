namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// One Alpaca account (paper or live), bound from <c>Alpaca:Paper</c> or <c>Alpaca:Live</c>. Keys come from
/// configuration only; this type deliberately has no <c>ToString</c> that could print them.
/// </summary>
public sealed class AlpacaAccountOptions
{
    public const string SectionName = "Alpaca";

    public static readonly Uri PaperBaseUrl = new("https://paper-api.alpaca.markets");
    public static readonly Uri LiveBaseUrl = new("https://api.alpaca.markets");

    public string? KeyId { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Trading API host; defaults to Alpaca's paper or live host. Tests point it at the fake server.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Alpaca allows 200 requests per minute per account, paper and live alike.</summary>
    public int RequestsPerWindow { get; set; } = 200;

    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long to wait for a 429's reset before giving up with <see cref="BrokerageRateLimitedException"/>.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many times a 429 is waited out and the request sent again (it was refused, so this is safe).</summary>
    public int RateLimitRetries { get; set; } = 2;

    /// <summary>Per attempt; an order POST that times out is looked up by client_order_id, never re-sent blindly.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of idempotent requests (GET) on 5xx, 408, timeouts and connection failures.</summary>
    public int ReadRetries { get; set; } = 3;

    public TimeSpan ReadRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times one order may be sent after lookups proved the earlier sends did not land.</summary>
    public int OrderSendAttempts { get; set; } = 3;

    /// <summary>Pause before the second send of an order (doubling for each further one), once a lookup proved it absent.</summary>
    public TimeSpan OrderResendDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(KeyId) && !string.IsNullOrWhiteSpace(SecretKey);

    /// <summary>The host with a trailing slash, so relative paths such as <c>v2/orders</c> append to it.</summary>
    internal Uri ResolveBaseUrl(TradingMode mode)
    {
        var baseUrl = BaseUrl ?? (mode == TradingMode.Live ? LiveBaseUrl : PaperBaseUrl);
        return baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    /// <summary>The options name and configuration section of a mode: <c>Paper</c> or <c>Live</c>.</summary>
    public static string NameOf(TradingMode mode) => mode switch
    {
        TradingMode.Paper => "Paper",
        TradingMode.Live => "Live",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Only paper and live trading go to Alpaca."),
    };
}
