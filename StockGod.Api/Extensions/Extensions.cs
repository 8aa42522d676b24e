using StockGod.Trading.Persistence;

namespace StockGod.Api.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTradingDatabase("stockgod");
        builder.AddRedisClient("redis");
        builder.AddMarketDataClient();
    }
}
