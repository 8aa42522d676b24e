namespace StockGod.Api.Realtime;

public static class RealtimeExtensions
{
    /// <summary>The price push: local connection tracking, the users' symbols, and the replica's one MarketData stream.</summary>
    public static IHostApplicationBuilder AddRealtimePrices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.SectionName);
        services.AddSingleton<StreamConnections>();
        services.AddSingleton<PriceInterest>();
        services.AddSingleton<PriceStream>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceStream>());
        return builder;
    }
}
