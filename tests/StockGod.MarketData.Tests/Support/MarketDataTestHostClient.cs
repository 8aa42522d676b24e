using StockGod.MarketData.V1;
using StockGod.Testing.MarketData;

namespace StockGod.MarketData.Tests.Support;

internal static class MarketDataTestHostClient
{
    extension(MarketDataTestHost host)
    {
        /// <summary>A client of this project's compilation of the contract (the consumers' view) on the host's channel.</summary>
        public MarketDataService.MarketDataServiceClient Client => new(host.Channel);
    }
}
