namespace StockGod.MarketData.V1;

/// <summary>A quote of a GetQuotes response as <see cref="Services.QuotesWireFormat"/> writes it: prebuilt fields 1–8, then stale and age.</summary>
internal readonly record struct PrebuiltQuote(byte[] Fields, bool Stale, long AgeSeconds, int AgeNanos);

public sealed partial class GetQuotesResponse
{
    /// <summary>
    /// When set, the quotes of the response, written from their prebuilt bytes instead of from <see cref="Quotes"/>
    /// (which stays empty). Service-side only: not part of the contract, lost by Clone and ignored by Equals.
    /// </summary>
    internal List<PrebuiltQuote>? Prebuilt { get; set; }
}
