using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTradingDatabase("stockgod");
        builder.AddRedisClient("redis");
        builder.AddMarketDataClient();
    }
}
